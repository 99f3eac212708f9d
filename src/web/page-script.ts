/**
 * The report page's own script (plain ES5-style JavaScript, run by the browser after uPlot): draws each
 * chart with uPlot from the JSON the page carries, with every chart's cursor in step (they share one
 * axis of virtual time) and faults and scheduled events shaded over the plot, and shows a fault's details and message
 * sequence when its mark on the timeline is clicked. Out of the cursor, a legend shows each variant's
 * average rate (counters) or last value (gauges), so the numbers read at a glance.
 */
export const pageScript = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var CHART_HEIGHT_PX = 200;

  function fmt(v) {
    if (v == null || !isFinite(v)) return '--';
    var a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(2) + 'G';
    if (a >= 1e6) return (v / 1e6).toFixed(2) + 'M';
    if (a >= 1e4) return (v / 1e3).toFixed(1) + 'k';
    if (a >= 100 || v === Math.round(v)) return String(Math.round(v));
    if (a >= 1) return v.toFixed(2);
    return v.toPrecision(3);
  }

  function summary(column, mode) {
    var sum = 0, n = 0, last = null;
    for (var i = 0; i < column.length; i++) {
      if (column[i] == null) continue;
      sum += column[i];
      n++;
      last = column[i];
    }
    if (n === 0) return mode === 'events' ? { label: 'total ', value: 0 } : null;
    if (mode === 'events') return { label: 'total ', value: sum };
    if (mode === 'distribution') return { label: 'max ', value: last };
    return mode === 'rate' ? { label: 'avg ', value: sum / n } : { label: 'last ', value: last };
  }

  // Faults and scheduled events as elements over the plot, each in its kind's hue: a band while in
  // force, a line at a one-off instant. Elements, not canvas paint, so that they carry their kind and
  // time for a reader's tooltip and for tests.
  function placeFaults(u) {
    var over = u.over;
    over.querySelectorAll('.event-band, .event-line').forEach(function (el) { el.remove(); });
    var w = over.clientWidth;
    data.faultMarks.forEach(function (m) {
      var x0 = Math.max(0, Math.min(w, u.valToPos(m.startS, 'x')));
      var el = document.createElement('div');
      el.className = (m.endS != null ? 'event-band' : 'event-line') + ' kind-' + m.family;
      el.style.background = m.color;
      el.style.left = x0 + 'px';
      if (m.endS != null) el.style.width = Math.max(2, Math.min(w, u.valToPos(m.endS, 'x')) - x0) + 'px';
      el.setAttribute('data-kind', m.kind);
      el.setAttribute('data-start-s', String(m.startS));
      el.title = m.label;
      over.appendChild(el);
    });
  }

  var NINES = ['0%', '90%', '99%', '99.9%', '99.99%', '100%'];
  var INTEGER_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 1e6, 1e7];

  var plots = [];
  data.charts.forEach(function (c) {
    var el = document.getElementById('chart-' + c.id);
    if (!el) return;
    var byPercentile = c.mode === 'distribution';
    var series = [{
      label: byPercentile ? 'percentile' : data.timeLabel,
      value: function (u, v) {
        if (v == null) return byPercentile ? 'whole run' : 'whole run';
        return byPercentile ? (100 - 100 * Math.pow(10, -v)).toPrecision(5).replace(/\.?0+$/, '') + '%' : v.toFixed(2) + ' s';
      }
    }];
    data.variants.forEach(function (variant, i) {
      var s = summary(c.ys[i], c.mode);
      var line = {
        label: variant.name,
        stroke: variant.color,
        width: variant.width,
        dash: variant.dash,
        spanGaps: true,
        points: { show: false },
        value: function (u, v, sidx, idx) {
          if (idx == null) return s == null ? 'no samples' : s.label + fmt(s.value) + c.unit;
          return v == null ? '--' : fmt(v) + c.unit;
        }
      };
      if (c.mode === 'events') {
        line.paths = function () { return null; };
        line.points = { show: true, size: 9 + 2 * (data.variants.length - i), fill: variant.color, stroke: variant.color };
      }
      series.push(line);
    });
    var yAxis = { size: 56, values: function (u, ticks) { return ticks.map(fmt); } };
    if (c.integer) yAxis.incrs = INTEGER_INCRS;
    var xAxis = byPercentile
      ? { size: 34, incrs: [1], values: function (u, ticks) { return ticks.map(function (t) { return NINES[Math.round(t)] || ''; }); } }
      : { size: 34 };
    var yScale = { auto: true };
    if (c.integer || c.mode === 'events') yScale = { range: function (u, min, max) { return [Math.min(0, Math.floor(min || 0)), Math.max(1, Math.ceil(max || 0))]; } };
    var opts = {
      width: Math.max(200, el.clientWidth),
      height: CHART_HEIGHT_PX,
      scales: { x: { time: false, range: byPercentile ? [0, 5] : [0, data.xMaxS] }, y: yScale },
      cursor: byPercentile ? {} : { sync: { key: 'virtual-time' } },
      legend: { live: true },
      series: series,
      axes: [xAxis, yAxis],
      hooks: byPercentile ? {} : { ready: [placeFaults], setSize: [placeFaults] }
    };
    plots.push({ plot: new uPlot(opts, [c.x].concat(c.ys), el), el: el });
  });

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    if (resizeTimer !== null) clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      plots.forEach(function (p) { p.plot.setSize({ width: Math.max(200, p.el.clientWidth), height: CHART_HEIGHT_PX }); });
    }, 100);
  });

  var detail = document.getElementById('fault-detail');
  document.querySelectorAll('.fault-mark').forEach(function (mark) {
    mark.addEventListener('click', function () {
      document.querySelectorAll('.fault-mark.selected').forEach(function (m) { m.classList.remove('selected'); });
      mark.classList.add('selected');
      detail.querySelectorAll('.fault-group, .sequence').forEach(function (el) {
        if (!el.closest('.sequence-other')) el.hidden = true;
      });
      var hint = detail.querySelector('.hint');
      if (hint) hint.hidden = true;
      document.getElementById(mark.getAttribute('data-group')).hidden = false;
      var seq = mark.getAttribute('data-sequence');
      if (!seq) return;
      var view = document.getElementById(seq);
      view.hidden = false;
      // Bring the fault's line to the middle of the scrolled diagram.
      var scroll = view.querySelector('.sequence-scroll');
      var line = view.querySelector('.fault-line');
      var lanes = view.querySelector('.sequence-lanes');
      var body = view.querySelector('svg.sequence-svg');
      if (scroll && line && body) {
        // y1 is in the body's coordinates, whose viewBox starts below the lane labels.
        var top = Number(body.getAttribute('viewBox').split(' ')[1]);
        scroll.scrollTop = Math.max(0, (lanes ? lanes.offsetHeight : 0) + Number(line.getAttribute('y1')) - top - scroll.clientHeight / 2);
      }
    });
  });
  document.body.setAttribute('data-ready', 'true');
})();
`;
