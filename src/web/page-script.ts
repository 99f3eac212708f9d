/**
 * The report page's own script (plain ES5-style JavaScript, run by the browser after uPlot): draws each
 * chart with uPlot from the JSON the page carries, with every chart's cursor in step (they share one
 * axis of virtual time) and faults drawn under the lines, and shows a fault's details and message
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

  function summary(column, rate) {
    var sum = 0, n = 0, last = null;
    for (var i = 0; i < column.length; i++) {
      if (column[i] == null) continue;
      sum += column[i];
      n++;
      last = column[i];
    }
    if (n === 0) return null;
    return rate ? { label: 'avg ', value: sum / n } : { label: 'last ', value: last };
  }

  function drawFaults(u) {
    var marks = data.faultMarks;
    if (marks.length === 0) return;
    var ctx = u.ctx, b = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.left, b.top, b.width, b.height);
    ctx.clip();
    for (var i = 0; i < marks.length; i++) {
      var x0 = u.valToPos(marks[i].startS, 'x', true);
      if (marks[i].endS != null) {
        var x1 = u.valToPos(marks[i].endS, 'x', true);
        ctx.fillStyle = 'rgba(214, 39, 40, 0.07)';
        ctx.fillRect(x0, b.top, Math.max(1, x1 - x0), b.height);
      }
      ctx.strokeStyle = 'rgba(214, 39, 40, 0.45)';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(Math.round(x0) + 0.5, b.top);
      ctx.lineTo(Math.round(x0) + 0.5, b.top + b.height);
      ctx.stroke();
    }
    ctx.restore();
  }

  var plots = [];
  data.charts.forEach(function (c) {
    var el = document.getElementById('chart-' + c.id);
    if (!el) return;
    var series = [{ label: data.timeLabel, value: function (u, v) { return v == null ? 'whole run' : v.toFixed(2) + ' s'; } }];
    data.variants.forEach(function (variant, i) {
      var s = summary(c.ys[i], c.rate);
      series.push({
        label: variant.name,
        stroke: variant.color,
        width: 1.5,
        spanGaps: true,
        points: { show: false },
        value: function (u, v, sidx, idx) {
          if (idx == null) return s == null ? 'no samples' : s.label + fmt(s.value) + c.unit;
          return v == null ? '--' : fmt(v) + c.unit;
        }
      });
    });
    var opts = {
      width: Math.max(200, el.clientWidth),
      height: CHART_HEIGHT_PX,
      scales: { x: { time: false, range: [0, data.xMaxS] } },
      cursor: { sync: { key: 'virtual-time' } },
      legend: { live: true },
      series: series,
      axes: [
        { label: data.timeLabel + ' (s)', labelSize: 16, size: 32 },
        { size: 52, values: function (u, ticks) { return ticks.map(fmt); } }
      ],
      hooks: { drawClear: [drawFaults] }
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
      if (scroll && line) scroll.scrollTop = Math.max(0, Number(line.getAttribute('y1')) - scroll.clientHeight / 2);
    });
  });
  document.body.setAttribute('data-ready', 'true');
})();
`;
