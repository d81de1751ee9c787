// Draws an offload-bench HTML report from the JSON payload in #payload (src/report/html_*.cpp),
// with Chart.js. Every number and verdict comes from the payload; this script only lays out,
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

  Chart.defaults.animation = false;
  // Sized here rather than by Chart.js, which would read each canvas's computed style as it is made
  // (a forced layout per plot); drawMany reads the sizes of a batch at once, then draws it.
  Chart.defaults.responsive = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';
  Chart.defaults.plugins.legend.display = false;

  // Okabe-Ito: distinguishable with the common colour-vision deficiencies.
  const kPalette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
  // A verdict is told by colour, by marker shape and by its word, so it reads in grey too.
  const kVerdicts = {
    faster: {colour: '#0072B2', shape: 'triangle', rotation: -90, word: 'faster'},
    improved: {colour: '#0072B2', shape: 'triangle', rotation: -90, word: 'improved'},
    slower: {colour: '#D55E00', shape: 'triangle', rotation: 90, word: 'slower'},
    regressed: {colour: '#D55E00', shape: 'triangle', rotation: 90, word: 'REGRESSED'},
    no_difference: {colour: '#666666', shape: 'circle', rotation: 0, word: 'no difference'},
    unchanged: {colour: '#666666', shape: 'circle', rotation: 0, word: 'unchanged'},
    insufficient: {colour: '#999999', shape: 'crossRot', rotation: 0, word: 'insufficient data'},
  };
  const verdictOf = (v) => kVerdicts[v] || kVerdicts.no_difference;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c != null) node.append(c);
    return node;
  }

  const finite = (x) => typeof x === 'number' && isFinite(x);
  function ns(x) {
    if (!finite(x)) return '–';
    const a = Math.abs(x);
    if (a >= 1e9) return (x / 1e9).toPrecision(3) + ' s';
    if (a >= 1e6) return (x / 1e6).toPrecision(3) + ' ms';
    if (a >= 1e3) return (x / 1e3).toPrecision(3) + ' µs';
    return x.toPrecision(3) + ' ns';
  }
  const ratio = (x) => (finite(x) ? '×' + x.toPrecision(3) : '–');
  // An interval as text, each bound written by `format`; '' when the payload has none.
  const ci = (c, format) => (c && finite(c[0]) && finite(c[1]) ? '[' + format(c[0]) + ', ' + format(c[1]) + ']' : '');
  const plain = (x) => x.toPrecision(3);

  // A log axis labels only 1, 2 and 5 times a power of ten: Chart.js's 1..9 ticks overlap.
  function roundLogTicks(axis) {
    const round = axis.ticks.filter((t) => {
      const mantissa = t.value / Math.pow(10, Math.floor(Math.log10(t.value) + 1e-9));
      return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6);
    });
    if (round.length >= 2) axis.ticks = round;
  }

  // Log scale when the values span more than one order of magnitude (and all are positive);
  // a linear one starts at zero only when asked (a sweep's cost; not a distribution's spread).
  // `shared`: the range is that of `values`, so panels side by side read on one scale.
  function valueAxis(values, title, fromZero, shared) {
    const v = values.filter(finite);
    const log = v.length > 0 && Math.min(...v) > 0 && Math.max(...v) / Math.min(...v) > 10;
    const range = shared && v.length > 0
      ? (log ? {min: Math.min(...v) / 1.2, max: Math.max(...v) * 1.2}
             : {min: fromZero ? Math.min(0, ...v) : Math.min(...v), max: Math.max(...v) * 1.05})
      : {};
    return {...range, type: log ? 'logarithmic' : 'linear', beginAtZero: fromZero && !log, grace: '5%',
            afterBuildTicks: log ? roundLogTicks : undefined,
            title: {display: true, text: title + (log ? ' (log scale)' : '')},
            ticks: {callback: (value) => ns(Number(value)), maxTicksLimit: 8}};
  }

  // Rows at integer y (first row on top), labelled by `labels`.
  function rowAxis(labels) {
    return {type: 'linear', reverse: true, min: -0.5, max: labels.length - 0.5,
            afterBuildTicks: (axis) => { axis.ticks = labels.map((_, i) => ({value: i})); },
            ticks: {autoSkip: false, callback: (value) => labels[value]}, grid: {display: false}};
  }

  // Lays out a canvas of its final height for `config`; draw() makes the chart later.
  function addChart(container, id, kind, height, config) {
    const box = el('div', {class: 'chart ' + kind, style: 'height:' + height + 'px'});
    const canvas = el('canvas', {id: id, role: 'img', 'aria-label': kind + ' plot'});
    box.append(canvas);
    container.append(box);
    const plot = {id: id, kind: kind, canvas: canvas, config: config, done: false};
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

  // A shaded band [low, high] across the plot on the x axis: the no-difference band.
  function bandPlugin(low, high) {
    return {id: 'band', beforeDatasetsDraw(chart) {
      const x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      const left = Math.max(area.left, x.getPixelForValue(low)), right = Math.min(area.right, x.getPixelForValue(high));
      ctx.save();
      ctx.fillStyle = 'rgba(0,0,0,0.08)';
      ctx.fillRect(left, area.top, Math.max(1, right - left), area.bottom - area.top);
      ctx.strokeStyle = '#444';
      ctx.setLineDash([4, 3]);
      const one = x.getPixelForValue(1);
      ctx.beginPath(); ctx.moveTo(one, area.top); ctx.lineTo(one, area.bottom); ctx.stroke();
      ctx.restore();
    }};
  }

  // Samples of each row as jittered dots, the median as a tick, its CI as a bar behind them.
  function stripChart(container, id, rows, axisTitle) {
    const datasets = [];
    rows.forEach((row, i) => {
      const colour = kPalette[i % kPalette.length];
      if (row.ci && finite(row.ci[0]) && finite(row.ci[1]))
        datasets.push({label: row.label + ' 95% CI of the median', data: [{x: row.ci[0], y: i}, {x: row.ci[1], y: i}],
                       showLine: true, borderColor: colour + '55', borderWidth: 14, pointRadius: 0, borderCapStyle: 'butt'});
      datasets.push({label: row.label + ' samples', mark: true, pointRadius: 3, pointHoverRadius: 5,
                     backgroundColor: colour + 'aa', borderColor: colour,
                     data: row.samples.map((x, j) => ({x: x, y: i + ((j * 0.618034) % 1 - 0.5) * 0.5}))});
      if (finite(row.median))
        datasets.push({label: row.label + ' median', data: [{x: row.median, y: i}], pointStyle: 'line',
                       rotation: 90, pointRadius: 12, borderWidth: 3, borderColor: '#000'});
    });
    const all = rows.flatMap((r) => r.samples);
    addChart(container, id, 'strip', 50 + 44 * rows.length, {
      type: 'scatter', data: {datasets: datasets},
      options: {scales: {x: valueAxis(all, axisTitle, false, false), y: rowAxis(rows.map((r) => r.axisLabel))},
                plugins: {tooltip: {callbacks: {label: (c) => c.dataset.label + ': ' + ns(c.parsed.x)}}}},
    });
  }

  // One row per ratio: CI as a line, the ratio as a marker shaped and coloured by its verdict.
  function forestChart(container, id, rows, threshold, title) {
    const datasets = [];
    rows.forEach((row, i) => {
      const v = verdictOf(row.verdict);
      if (row.ci && finite(row.ci[0]) && finite(row.ci[1]))
        datasets.push({label: row.label + ' CI', data: [{x: row.ci[0], y: i}, {x: row.ci[1], y: i}],
                       showLine: true, borderColor: v.colour, borderWidth: 3, pointRadius: 0});
    });
    const marked = rows.map((row, i) => ({x: row.ratio, y: i, v: verdictOf(row.verdict)})).filter((p) => finite(p.x) && p.x > 0);
    datasets.push({label: 'ratio', mark: true, data: marked, pointRadius: 8, borderWidth: 2,
                   pointStyle: marked.map((p) => p.v.shape), rotation: marked.map((p) => p.v.rotation),
                   backgroundColor: marked.map((p) => p.v.colour), borderColor: marked.map((p) => p.v.colour)});
    const values = rows.flatMap((r) => [r.ratio, ...(r.ci || [])]).filter((x) => finite(x) && x > 0);
    values.push(1 - threshold, 1 + threshold);
    const low = Math.min(...values), high = Math.max(...values);
    addChart(container, id, 'forest', 60 + 34 * rows.length, {
      type: 'scatter', data: {datasets: datasets},
      options: {scales: {
        x: {type: 'logarithmic', min: low / 1.15, max: high * 1.15, title: {display: true, text: title},
            afterBuildTicks: roundLogTicks,
            ticks: {callback: (value) => ratio(Number(value)), maxTicksLimit: 8}},
        y: rowAxis(rows.map((r) => r.axisLabel))},
                plugins: {tooltip: {callbacks: {label: (c) => c.dataset.label + ': ' + ratio(c.parsed.x)}}}},
      plugins: [bandPlugin(1 - threshold, 1 + threshold)],
    });
  }

  function breakdownChart(container, id, strategies) {
    const traced = strategies.filter((s) => s.breakdown.length > 0);
    if (traced.length === 0) return;
    const phases = traced[0].breakdown.map((p) => p.phase);
    const datasets = phases.map((phase, k) => ({
      label: phase, mark: true, backgroundColor: kPalette[k % kPalette.length], borderColor: '#fff', borderWidth: 1,
      data: traced.map((s) => { const p = s.breakdown.find((q) => q.phase === phase); return p ? p.mean : null; }),
    }));
    addChart(container, id, 'breakdown', 80 + 40 * traced.length, {
      type: 'bar', data: {labels: traced.map((s) => s.name), datasets: datasets},
      options: {indexAxis: 'y', scales: {x: {stacked: true, title: {display: true, text: 'mean ns per phase of one offload, stacked in phase order'},
                                             ticks: {callback: (value) => ns(Number(value))}},
                                         y: {stacked: true}},
                plugins: {legend: {display: true, position: 'bottom'},
                          tooltip: {callbacks: {label: (c) => c.dataset.label + ': ' + ns(c.parsed.x)}}}},
    });
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
    stripChart(grid, point.id + '-strip', rows, 'ns per op (wall), lower is better');
    const table = el('table', {class: 'strategies'},
      el('tr', {}, ...['strategy', 'n', 'median ns/op [95% CI]', 'vs baseline', 'conformance'].map((t) => el('th', {text: t}))));
    for (const s of point.strategies) {
      const c = byName[s.name];
      const details = s.conformance.filter((x) => !x.passed).map((x) => x.guarantee + ': ' + x.detail).join('; ');
      table.append(el('tr', {}, el('td', {text: s.name}), el('td', {text: String(s.samples.length)}),
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
      forestChart(section, point.id + '-forest', forestRows, threshold,
                  'candidate / baseline median, log scale; shaded: within ±' + (threshold * 100).toFixed(0) + '% (no difference)');
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
      const datasets = [];
      panel.series.forEach((s, i) => {
        const colour = kPalette[i % kPalette.length];
        datasets.push({label: s.strategy + ' CI low', data: s.low, borderWidth: 0, pointRadius: 0});
        datasets.push({label: s.strategy + ' 95% CI', data: s.high, borderWidth: 0, pointRadius: 0,
                       fill: '-1', backgroundColor: colour + '33'});
        datasets.push({label: s.strategy, mark: true, data: s.median, borderColor: colour, backgroundColor: colour,
                       borderDash: i % 2 ? [6, 3] : [], pointStyle: ['circle', 'rect', 'triangle', 'rectRot'][i % 4],
                       pointRadius: 4});
      });
      addChart(box, sweep.id + '-' + k, 'sweep', 260, {
        type: 'line', data: {labels: panel.x_values, datasets: datasets},
        options: {scales: {x: {title: {display: true, text: sweep.x}}, y: valueAxis(all, 'median ns per op', true, true)},
                  plugins: {legend: {display: true, position: 'bottom',
                                     labels: {usePointStyle: true, filter: (item) => !/CI/.test(item.text)}},
                            tooltip: {callbacks: {label: (c) => c.dataset.label + ': ' + ns(c.parsed.y)}}}},
      });
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
      forestChart(main, 'overview-forest', nsRows.map((r) => ({
        label: r.b.key, ratio: r.c.ratio, ci: r.c.ci, verdict: r.c.verdict,
        axisLabel: r.b.key + ' — ' + verdictOf(r.c.verdict).word + ' ' + ratio(r.c.ratio)})),
        payload.options.threshold, 'new / base median ns/op, log scale; shaded: within ±' + (payload.options.threshold * 100).toFixed(0) + '%');
    }
    const toc = el('ul', {});
    main.append(el('nav', {class: 'toc'}, el('h2', {text: 'Benchmarks'}), toc));
    for (const b of payload.benchmarks) {
      const worst = b.metrics.map((m) => m.verdict).sort((x, y) => ['regressed', 'improved', 'insufficient', 'unchanged'].indexOf(x) -
                                                                  ['regressed', 'improved', 'insufficient', 'unchanged'].indexOf(y))[0];
      toc.append(el('li', {}, el('a', {href: '#' + b.id, text: b.key}), ' — ' + verdictOf(worst).word));
      const section = el('section', {id: b.id, class: 'point'}, el('h3', {text: b.key + ' — ' + verdictOf(worst).word}));
      main.append(section);
      const grid = el('div', {class: 'grid'});
      section.append(grid);
      const nsMetric = b.metrics.find((m) => m.metric === 'ns_per_op') || {};
      stripChart(grid, b.id + '-strip', [
        {label: 'base', axisLabel: 'base', samples: b.base_samples, median: nsMetric.base_median, ci: null},
        {label: 'new', axisLabel: 'new', samples: b.new_samples, median: nsMetric.new_median, ci: null}],
        'ns per op (wall), lower is better');
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
