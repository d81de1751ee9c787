// Lays out an offload-bench HTML report from the JSON payload in #payload (src/report/html_*.cpp)
// and draws its plots (configured by html_report_plots.js) with Chart.js. Every number and verdict comes from the payload; this script only lays out,
// labels and plots. The page's text comes at once; plots are drawn on screen first, then the rest
// in slices of ~40 ms so the page stays responsive. When every plot is drawn it sets
// body[data-rendered] and window.offloadReport (what the browser test reads: each chart's id,
// kind and number of marks, and the timings).
'use strict';
(function () {
  const started = performance.now();
  const payload = JSON.parse(document.getElementById('payload').textContent);
  const main = document.getElementById('report');
  const drawn = [];    // {id, kind, marks}, per plot drawn
  const charts = [];   // the Chart objects drawn, for resizing
  const pending = [];  // plots laid out but not drawn yet, in page order
  let visibleMs = null;  // when the plots on the first screen were drawn

  const {verdictOf, finite, ns, ratio, ci, plain} = OffloadPlots;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c != null) node.append(c);
    return node;
  }

  // Lays out a canvas of the plot's final height; draw() makes the chart later.
  function addChart(container, id, kind, spec) {
    const box = el('div', {class: 'chart ' + kind, style: 'height:' + spec.height + 'px'});
    const canvas = el('canvas', {id: id, role: 'img', 'aria-label': kind + ' plot'});
    box.append(canvas);
    container.append(box);
    const plot = {id: id, kind: kind, canvas: canvas, config: spec.config, done: false};
    pending.push(plot);
    canvas.plot = plot;
    onScreen.observe(canvas);
  }

  // Draws a plot once, `size` [width, height] CSS px, and records its marks: the elements
  // Chart.js made for the datasets flagged `mark` (samples, ratios, phases, sweep medians) and
  // placed on the plot.
  function draw(plot, size) {
    onScreen.unobserve(plot.canvas);
    plot.canvas.width = size[0];
    plot.canvas.height = size[1];
    const chart = new Chart(plot.canvas, plot.config);
    charts.push(chart);
    let marks = 0;
    chart.data.datasets.forEach((dataset, i) => {
      if (!dataset.mark) return;
      marks += chart.getDatasetMeta(i).data.filter((e) => !e.skip && isFinite(e.x) && isFinite(e.y)).length;
    });
    drawn.push({id: plot.id, kind: plot.kind, marks: marks});
  }

  const boxSize = (canvas) => [canvas.parentNode.clientWidth, canvas.parentNode.clientHeight];

  function drawMany(plots) {
    const todo = plots.filter((p) => !p.done);
    todo.forEach((p) => { p.done = true; });
    const sizes = todo.map((p) => boxSize(p.canvas));
    todo.forEach((p, i) => draw(p, sizes[i]));
  }

  // The plots a reader sees (or is about to) first; the first call is the first screen.
  const onScreen = new IntersectionObserver((entries) => {
    drawMany(entries.filter((e) => e.isIntersecting).map((e) => e.target.plot));
    if (visibleMs === null) visibleMs = performance.now();
  }, {rootMargin: '200px'});

  // A new window width: every drawn plot takes its box's new size (all read, then all drawn).
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      const sizes = charts.map((c) => boxSize(c.canvas));
      charts.forEach((c, i) => c.resize(sizes[i][0], sizes[i][1]));
    }, 100);
  });

  // The rest, a batch at a time (~40 ms of work), then the signal that every plot is drawn.
  function drawRest() {
    const until = performance.now() + 40;
    while (pending.length > 0 && performance.now() < until) drawMany(pending.splice(0, 6));
    if (pending.length > 0) { setTimeout(drawRest, 0); return; }
    if (visibleMs === null) visibleMs = performance.now();  // everything was drawn before the first screen's call
    // Times from the start of navigation (performance's time origin).
    window.offloadReport = {charts: drawn, text_ms: textMs, visible_ms: visibleMs, loaded_ms: performance.now(),
                            script_ms: performance.now() - started};
    main.setAttribute('aria-busy', 'false');
    document.body.setAttribute('data-rendered', String(drawn.length));
  }

  function breakdownChart(container, id, strategies) {
    const traced = strategies.filter((s) => s.breakdown.length > 0);
    if (traced.length === 0) return;
    const phases = traced[0].breakdown.map((p) => p.phase);
    addChart(container, id, 'breakdown', OffloadPlots.breakdown(traced, phases));
    const table = el('table', {class: 'phases'}, el('tr', {}, el('th', {text: 'strategy'}),
                     ...phases.map((p) => el('th', {text: p + ' p50 / p99'}))));
    for (const s of traced)
      table.append(el('tr', {}, el('td', {text: s.name}),
                      ...s.breakdown.map((p) => el('td', {text: ns(p.p50) + ' / ' + ns(p.p99)}))));
    container.append(scrollable(table));
  }

  function conformanceText(s) {
    if (s.conformance.length === 0) return '';
    const broken = s.conformance.filter((c) => !c.passed && c.claimed).map((c) => c.guarantee);
    const givenUp = s.conformance.filter((c) => !c.passed && !c.claimed).map((c) => c.guarantee);
    if (broken.length) return '✗ breaks ' + broken.join(', ');
    if (givenUp.length) return '○ gives up ' + givenUp.join(', ');
    return '✓ ' + s.conformance.length + '/' + s.conformance.length + ' guarantees';
  }

  // A wide table scrolls inside its box on a narrow window; the page does not.
  const scrollable = (table) => el('div', {class: 'scroll'}, table);

  function list(className, items) {
    if (!items.length) return document.createDocumentFragment();
    return el('ul', {class: className}, ...items.map((t) => el('li', {text: t})));
  }

  // Sections join the document before their charts are made: Chart.js sizes a canvas only once
  // it is attached.
  function pointSection(parent, point) {
    const section = el('section', {id: point.id, class: 'point'}, el('h3', {text: point.title}));
    parent.append(section);
    if (point.description) section.append(el('p', {class: 'description', text: point.description}));
    const notes = [];
    if (point.backend) notes.push('backend: ' + point.backend);
    if (point.sampling) notes.push(point.sampling);
    if (!point.complete) notes.push('incomplete: the run stopped inside this point');
    if (notes.length) section.append(el('p', {class: 'meta', text: notes.join(' · ')}));
    section.append(list('warnings', point.warnings.map((w) => '⚠ ' + w)));
    if (point.skipped) { section.append(el('p', {class: 'skipped', text: 'skipped: ' + point.skipped})); return; }
    const byName = {};
    point.comparisons.filter((c) => c.metric === 'ns_per_op').forEach((c) => { byName[c.candidate] = c; });
    const rows = point.strategies.map((s) => {
      const c = byName[s.name];
      const role = s.role === 'baseline' ? ' (baseline)' : c ? ' — ' + verdictOf(c.verdict).word + ' ' + ratio(c.ratio) : '';
      return {label: s.name, axisLabel: [s.name + role, conformanceText(s)].filter((t) => t), samples: s.samples,
              median: s.median, ci: s.ci};
    });
    const grid = el('div', {class: 'grid'});
    section.append(grid);
    addChart(grid, point.id + '-strip', 'strip', OffloadPlots.strip(rows, 'ns per op (wall), lower is better'));
    const table = el('table', {class: 'strategies'},
      el('tr', {}, ...['strategy', 'n', 'median ns/op [95% CI]', 'vs baseline', 'conformance'].map((t) => el('th', {text: t}))));
    for (const s of point.strategies) {
      const c = byName[s.name];
      const details = s.conformance.filter((x) => !x.passed).map((x) => x.guarantee + ': ' + x.detail).join('; ');
      const backend = s.backend && s.backend !== point.backend ? ' (' + s.backend + ')' : '';
      table.append(el('tr', {}, el('td', {text: s.name + backend}), el('td', {text: String(s.samples.length)}),
        el('td', {text: ns(s.median) + ' ' + ci(s.ci, ns)}),
        el('td', {text: s.role === 'baseline' ? 'baseline' : c ? verdictOf(c.verdict).word + ' ' + ratio(c.ratio) + ' ' + ci(c.ci, plain) : ''}),
        el('td', {text: conformanceText(s), title: details})));
    }
    grid.append(scrollable(table));
    if (point.comparisons.length) {
      const forestRows = point.comparisons.map((c) => ({
        label: c.candidate, ratio: c.ratio, ci: c.ci, verdict: c.verdict,
        axisLabel: [c.candidate + (c.metric === 'ns_per_op' ? '' : ' (' + c.metric + ')'),
                    verdictOf(c.verdict).word + ' ' + ratio(c.ratio) + ' ' + ci(c.ci, plain)]}));
      const threshold = Math.max(...point.comparisons.map((c) => c.threshold).filter(finite), 0);
      addChart(section, point.id + '-forest', 'forest', OffloadPlots.forest(forestRows, threshold,
               'candidate / baseline ns per op, log scale; shaded: within ±' + (threshold * 100).toFixed(0) + '% (no difference)'));
    }
    breakdownChart(section, point.id + '-breakdown', point.strategies);
    section.append(list('expectations', point.expectations.map((e) => e.outcome.toUpperCase() + ': ' + e.description +
                                                                       (e.detail ? ' — ' + e.detail : ''))));
  }

  function sweepSection(parent, sweep) {
    const section = el('section', {id: sweep.id, class: 'sweep'},
                       el('h3', {text: 'Sweep: ' + sweep.scenario + ' along ' + sweep.x}));
    parent.append(section);
    const panels = el('div', {class: 'panels'});
    section.append(panels);
    const all = sweep.panels.flatMap((p) => p.series.flatMap((s) => [...s.low, ...s.high, ...s.median]));
    sweep.panels.forEach((panel, k) => {
      const box = el('div', {class: 'panel'}, el('h4', {text: panel.title || sweep.scenario}));
      panels.append(box);
      addChart(box, sweep.id + '-' + k, 'sweep', OffloadPlots.sweepPanel(panel, all, sweep.x));
    });
  }

  function header(rows, warnings) {
    const table = el('table', {class: 'environment'});
    for (const [label, value] of rows) table.append(el('tr', {}, el('th', {text: label}), el('td', {text: value})));
    return [table, list('warnings', warnings.map((w) => '⚠ ' + w))];
  }

  function renderRun() {
    const toc = el('nav', {class: 'toc'}, el('h2', {text: 'Contents'}));
    main.append(toc);
    for (const report of payload.reports) {
      const section = el('section', {id: report.id, class: 'report'}, el('h2', {text: report.source}));
      main.append(section);
      section.append(...header(report.environment, report.warnings));
      const entries = el('ul', {});
      toc.append(el('p', {}, el('a', {href: '#' + report.id, text: report.source})), entries);
      for (const sweep of report.sweeps) {
        sweepSection(section, sweep);
        entries.append(el('li', {}, el('a', {href: '#' + sweep.id, text: 'Sweep: ' + sweep.scenario})));
      }
      for (const point of report.points) {
        pointSection(section, point);
        const verdicts = point.comparisons.filter((c) => c.metric === 'ns_per_op').map((c) => verdictOf(c.verdict).word);
        const note = point.skipped ? 'skipped' : verdicts.join(', ');
        entries.append(el('li', {}, el('a', {href: '#' + point.id, text: point.title}), note ? ' — ' + note : ''));
      }
    }
  }

  function renderCompare() {
    const s = payload.summary;
    main.append(el('p', {class: 'summary', text: s.regressed + ' regressed, ' + s.improved + ' improved, ' +
      s.insufficient + ' insufficient, ' + s.unchanged + ' unchanged of ' + s.paired + ' paired benchmarks; ' +
      'geometric mean of ns/op ratios ' + ratio(s.geomean_ns_ratio)}));
    const sides = el('div', {class: 'grid'});
    for (const [name, side] of [['base', payload.base], ['new', payload.new]]) {
      const box = el('div', {}, el('h2', {text: name + ': ' + side.source}));
      box.append(...header(side.environment, side.partial ? ['partial run'] : []));
      sides.append(box);
    }
    main.append(sides, list('warnings', payload.warnings.map((w) => '⚠ ' + w)));
    const nsRows = payload.benchmarks.map((b) => ({b: b, c: b.metrics.find((m) => m.metric === 'ns_per_op')})).filter((r) => r.c);
    if (nsRows.length) {
      main.append(el('h2', {text: 'ns/op, new / base (regressions first)'}));
      addChart(main, 'overview-forest', 'forest', OffloadPlots.forest(nsRows.map((r) => ({
        label: r.b.key, ratio: r.c.ratio, ci: r.c.ci, verdict: r.c.verdict,
        axisLabel: r.b.key + ' — ' + verdictOf(r.c.verdict).word + ' ' + ratio(r.c.ratio)})),
        payload.options.threshold, 'new / base median ns/op, log scale; shaded: within ±' + (payload.options.threshold * 100).toFixed(0) + '%'));
    }
    const toc = el('ul', {});
    main.append(el('nav', {class: 'toc'}, el('h2', {text: 'Benchmarks'}), toc));
    for (const b of payload.benchmarks) {
      const worst = b.verdict;
      toc.append(el('li', {}, el('a', {href: '#' + b.id, text: b.key}), ' — ' + verdictOf(worst).word));
      const section = el('section', {id: b.id, class: 'point'}, el('h3', {text: b.key + ' — ' + verdictOf(worst).word}));
      main.append(section);
      const grid = el('div', {class: 'grid'});
      section.append(grid);
      const nsMetric = b.metrics.find((m) => m.metric === 'ns_per_op') || {};
      addChart(grid, b.id + '-strip', 'strip', OffloadPlots.strip([
        {label: 'base', axisLabel: 'base', samples: b.base_samples, median: nsMetric.base_median, ci: null},
        {label: 'new', axisLabel: 'new', samples: b.new_samples, median: nsMetric.new_median, ci: null}],
        'ns per op (wall), lower is better'));
      const table = el('table', {class: 'metrics'},
        el('tr', {}, ...['metric', 'base', 'new', 'ratio [CI]', 'verdict', 'note'].map((t) => el('th', {text: t}))));
      for (const m of b.metrics) {
        const value = /ns_per_op$/.test(m.metric) ? ns : (x) => (finite(x) ? String(x) : '–');
        table.append(el('tr', {}, el('td', {text: m.metric}), el('td', {text: value(m.base_median) + ' (n=' + m.base_n + ')'}),
          el('td', {text: value(m.new_median) + ' (n=' + m.new_n + ')'}), el('td', {text: ratio(m.ratio) + ' ' + ci(m.ci, plain)}),
          el('td', {class: 'verdict-' + m.verdict, text: verdictOf(m.verdict).word}), el('td', {text: m.note})));
      }
      grid.append(scrollable(table));
    }
    for (const [name, keys] of [['only in base', payload.only_in_base], ['only in new', payload.only_in_new]])
      if (keys.length) main.append(el('h2', {text: name}), list('unpaired', keys));
  }

  if (payload.kind === 'compare') renderCompare(); else renderRun();
  const textMs = performance.now();
  setTimeout(drawRest, 0);
})();
