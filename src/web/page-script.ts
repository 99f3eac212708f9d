/**
 * The report page's own script (plain JavaScript, run by the browser after uPlot): draws each chart
 * with uPlot from the JSON the page carries, with the options the lab's live charts use too
 * (uplot-chart.ts, its source inlined here), every chart's cursor in step (they share one axis of
 * virtual time); and shows a fault's details and message sequence when its mark on the timeline is
 * clicked.
 */
import { uplotChartOptions } from './uplot-chart.js';

export const pageScript = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var CHART_HEIGHT_PX = 200;

  var uplotChartOptions = ${uplotChartOptions.toString()};

  var plots = [];
  data.charts.forEach(function (c) {
    var el = document.getElementById('chart-' + c.id);
    if (!el) return;
    var opts = uplotChartOptions(c, {
      variants: data.variants,
      timeLabel: data.timeLabel,
      xMaxS: data.xMaxS,
      widthPx: Math.max(200, el.clientWidth),
      heightPx: CHART_HEIGHT_PX,
      faultMarks: function () { return data.faultMarks; }
    });
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
