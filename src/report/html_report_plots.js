// Chart.js configurations of the HTML report's plots and the number formats they share with the
// page (src/report/html_report.js lays the page out and decides when each plot is drawn). Payload
// rows in, {height in CSS px, Chart.js config} out; no DOM. Sets Chart.js's defaults once.
'use strict';
const OffloadPlots = (function () {
  Chart.defaults.animation = false;
  // The page sizes each canvas rather than Chart.js, which would read every canvas's computed style
  // as it is made (a forced layout per plot); html_report.js reads a batch's sizes at once.
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
  function strip(rows, axisTitle) {
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
    return {height: 50 + 44 * rows.length, config: {
      type: 'scatter', data: {datasets: datasets},
      options: {scales: {x: valueAxis(all, axisTitle, false, false), y: rowAxis(rows.map((r) => r.axisLabel))},
                plugins: {tooltip: {callbacks: {label: (c) => c.dataset.label + ': ' + ns(c.parsed.x)}}}},
    }};
  }

  // One row per ratio: CI as a line, the ratio as a marker shaped and coloured by its verdict.
  function forest(rows, threshold, title) {
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
    return {height: 60 + 34 * rows.length, config: {
      type: 'scatter', data: {datasets: datasets},
      options: {scales: {
        x: {type: 'logarithmic', min: low / 1.15, max: high * 1.15, title: {display: true, text: title},
            afterBuildTicks: roundLogTicks,
            ticks: {callback: (value) => ratio(Number(value)), maxTicksLimit: 8}},
        y: rowAxis(rows.map((r) => r.axisLabel))},
                plugins: {tooltip: {callbacks: {label: (c) => c.dataset.label + ': ' + ratio(c.parsed.x)}}}},
      plugins: [bandPlugin(1 - threshold, 1 + threshold)],
    }};
  }

  // One stacked bar per traced strategy: each phase's mean, in phase order.
  function breakdown(traced, phases) {
    const datasets = phases.map((phase, k) => ({
      label: phase, mark: true, backgroundColor: kPalette[k % kPalette.length], borderColor: '#fff', borderWidth: 1,
      data: traced.map((s) => { const p = s.breakdown.find((q) => q.phase === phase); return p ? p.mean : null; }),
    }));
    return {height: 80 + 40 * traced.length, config: {
      type: 'bar', data: {labels: traced.map((s) => s.name), datasets: datasets},
      options: {indexAxis: 'y', scales: {x: {stacked: true, title: {display: true, text: 'mean ns per phase of one offload, stacked in phase order'},
                                             ticks: {callback: (value) => ns(Number(value))}},
                                         y: {stacked: true}},
                plugins: {legend: {display: true, position: 'bottom'},
                          tooltip: {callbacks: {label: (c) => c.dataset.label + ': ' + ns(c.parsed.x)}}}},
    }};
  }

  // A sweep panel: the median of each series along x, its CI as a band; `all` sets the y range
  // the panels of one sweep share.
  function sweepPanel(panel, all, xTitle) {
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
    return {height: 260, config: {
      type: 'line', data: {labels: panel.x_values, datasets: datasets},
      options: {scales: {x: {title: {display: true, text: xTitle}}, y: valueAxis(all, 'median ns per op', true, true)},
                plugins: {legend: {display: true, position: 'bottom',
                                   labels: {usePointStyle: true, filter: (item) => !/CI/.test(item.text)}},
                          tooltip: {callbacks: {label: (c) => c.dataset.label + ': ' + ns(c.parsed.y)}}}},
    }};
  }

  return {verdictOf, finite, ns, ratio, ci, plain, strip, forest, breakdown, sweepPanel};
})();
