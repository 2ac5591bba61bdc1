/* report.js - builds the report's Vega views from the data straits embeds
 * (the JSON element #straits-data) and says, in #straits-status, whether every view
 * rendered.  Inlined into each report by rep_html.c; no network, no other files. */
(function () {
  'use strict';
  var status = document.getElementById('straits-status');
  var errors = [];
  function fail(msg) { errors.push(String(msg)); }
  window.addEventListener('error', function (e) { fail(e.message || e); });
  window.addEventListener('unhandledrejection', function (e) { fail(e.reason || e); });
  var consoleError = console.error;
  console.error = function () {
    fail(Array.prototype.join.call(arguments, ' '));
    consoleError.apply(console, arguments);
  };

  /* Documents a module wrote sit in their own elements: a malformed one breaks its
   * section only. */
  function readDoc(id) {
    var e = document.getElementById(id);
    if (!e) return null;
    try { return JSON.parse(e.textContent); } catch (x) { fail(id + ' is not JSON: ' + x); }
    return null;
  }
  var D = JSON.parse(document.getElementById('straits-data').textContent);
  D.docs = {sync: readDoc('doc-sync'), findings: readDoc('doc-findings'),
            compare: readDoc('doc-compare'), sections: [], layers: []};
  for (var i = 0; document.getElementById('doc-section-' + i); i++) {
    var doc = readDoc('doc-section-' + i);
    if (doc) D.docs.sections.push(doc);
  }
  for (i = 0; document.getElementById('doc-layer-' + i); i++) {
    var layer = readDoc('doc-layer-' + i);
    if (layer && Array.isArray(layer.features)) D.docs.layers.push(layer);
  }
  var views = [];            /* {el, spec} */
  var FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
  var CONFIG = {
    font: FONT,
    axis: {labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e6e6e6'},
    title: {fontSize: 13, anchor: 'start'},
    legend: {labelFontSize: 11, titleFontSize: 12}
  };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function addView(parent, spec, cls) {
    var div = el('div', {'class': 'view ' + (cls || '')});
    parent.appendChild(div);
    spec.config = Object.assign({}, CONFIG, spec.config || {});
    views.push({el: div, spec: spec});
  }
  function section(id, title, where) {
    var s = document.getElementById(id);
    if (!s) {
      s = el('section', {id: id});
      s.appendChild(el('h2', {}, title));
      document.getElementById(where || 'straits-sections').appendChild(s);
    }
    s.hidden = false;
    return s;
  }
  function shown(m, v) { return v === null ? null : v * m.scale; }
  function label(m) { return m.module + '.' + m.name + (m.shown ? ' (' + m.shown + ')' : ''); }

  /* ---- the theater map ---------------------------------------------------- */
  /* d3-geo, inside Vega, wants exterior rings clockwise; RFC 7946 (the store's
   * GeoJSON) has them counterclockwise.  Planar signed area decides. */
  function clockwise(ring) {
    var a = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++)
      a += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
    return a > 0 ? ring.slice().reverse() : ring; /* a > 0: counterclockwise */
  }
  function mapView() {
    var T = D.theater;
    if (!T || !T.features) return;
    var feats = T.features, bb = T.bbox;
    var regions = feats.filter(function (f) { return f.properties.layer === 'region'; })
      .map(function (f) {
        return {type: 'Feature', properties: f.properties,
                geometry: {type: 'Polygon', coordinates: f.geometry.coordinates.map(clockwise)}};
      });
    var routes = feats.filter(function (f) { return f.properties.layer === 'route'; });
    var places = feats.filter(function (f) { return f.properties.layer === 'place'; })
      .map(function (f) {
        return {id: f.properties.id, name: f.properties.name, kind: f.properties.kind,
                lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1]};
      });
    var coast = D.coast ? D.coast.features : [];
    var s = section('map', 'Theater', 'straits-top');
    var spec = {
      $schema: 'https://vega.github.io/schema/vega/v5.json',
      width: 900, height: 640, padding: {left: 4, right: 4, top: 28, bottom: 4},
      autosize: 'none',
      background: '#e8f1f8',
      title: {text: 'Places, regions and routes' + (coast.length ? '' : ' (no coastline data)')},
      signals: [{name: 'extent', value: {type: 'Feature', properties: {},
        geometry: {type: 'MultiPoint', coordinates: [[bb[0], bb[1]], [bb[2], bb[3]]]}}}],
      projections: [{name: 'proj', type: 'mercator', fit: {signal: 'extent'},
                     size: {signal: '[width, height]'},
                     clipExtent: {signal: '[[0, 0], [width, height]]'}}],
      data: [
        {name: 'graticule', transform: [{type: 'graticule', step: [5, 5]}]},
        {name: 'coast', values: coast},
        {name: 'regions', values: regions},
        {name: 'routes', values: routes},
        {name: 'places', values: places,
         transform: [{type: 'geopoint', projection: 'proj', fields: ['lon', 'lat']}]}
      ],
      scales: [
        {name: 'regionColor', type: 'ordinal',
         domain: {data: 'regions', field: 'properties.kind'},
         range: ['#d62728', '#1f77b4', '#ff7f0e', '#9467bd', '#8c564b']},
        {name: 'routeColor', type: 'ordinal', domain: {data: 'routes', field: 'properties.kind'},
         range: ['#2ca02c', '#17becf', '#7f7f7f']},
        {name: 'placeColor', type: 'ordinal', domain: {data: 'places', field: 'kind'},
         range: {scheme: 'dark2'}}
      ],
      legends: [
        {fill: 'regionColor', title: 'region', orient: 'top-left', symbolType: 'square',
         fillColor: 'rgba(255,255,255,0.85)', padding: 6},
        {stroke: 'routeColor', title: 'route', orient: 'top-left', symbolType: 'stroke',
         fillColor: 'rgba(255,255,255,0.85)', padding: 6},
        {fill: 'placeColor', title: 'place', orient: 'bottom-left', symbolType: 'circle',
         fillColor: 'rgba(255,255,255,0.85)', padding: 6}
      ],
      marks: [
        {type: 'shape', from: {data: 'graticule'},
         encode: {update: {stroke: {value: '#c5d6e3'}, strokeWidth: {value: 0.5},
                           fill: {value: 'transparent'}}},
         transform: [{type: 'geoshape', projection: 'proj'}]},
        {type: 'shape', from: {data: 'coast'},
         encode: {update: {stroke: {value: '#3b3b3b'}, strokeWidth: {value: 0.9},
                           fill: {value: 'transparent'}}},
         transform: [{type: 'geoshape', projection: 'proj'}]},
        {type: 'shape', from: {data: 'regions'},
         encode: {update: {fill: {scale: 'regionColor', field: 'properties.kind'},
                           fillOpacity: {value: 0.18},
                           stroke: {scale: 'regionColor', field: 'properties.kind'},
                           strokeWidth: {value: 1.5},
                           tooltip: {field: 'properties.name'}}},
         transform: [{type: 'geoshape', projection: 'proj'}]},
        {type: 'shape', from: {data: 'routes'},
         encode: {update: {stroke: {scale: 'routeColor', field: 'properties.kind'},
                           strokeWidth: {value: 2}, strokeDash: {value: [6, 3]},
                           fill: {value: 'transparent'},
                           tooltip: {field: 'properties.name'}}},
         transform: [{type: 'geoshape', projection: 'proj'}]},
        {type: 'symbol', name: 'placeMarks', from: {data: 'places'},
         encode: {update: {x: {field: 'x'}, y: {field: 'y'}, size: {value: 50},
                           fill: {scale: 'placeColor', field: 'kind'},
                           stroke: {value: 'white'}, strokeWidth: {value: 1},
                           tooltip: {signal: "datum.name + ' (' + datum.kind + ')'"}}}},
        /* Labels where they fit without overlapping (Vega's label transform); a
         * crowded place keeps its tooltip. */
        {type: 'text', from: {data: 'placeMarks'},
         encode: {enter: {text: {field: 'datum.name'}, fontSize: {value: 11},
                          fill: {value: '#1a1a1a'}}},
         transform: [{type: 'label', size: {signal: '[width, height]'}, offset: [5],
                      anchor: ['right', 'left', 'top', 'bottom', 'top-right',
                               'bottom-right', 'top-left', 'bottom-left']}]}
      ]
    };
    addLayers(spec);
    addView(s, spec, 'map');
  }

  /* Layers modules add (documents map.layer.*): drawn above the regions, below the
   * routes and places.  A numeric properties.value is coloured on a sequential scale
   * (a probability grid); other features are outlined. */
  function addLayers(spec) {
    var at = spec.marks.findIndex(function (m) { return m.from && m.from.data === 'routes'; });
    D.docs.layers.forEach(function (layer, i) {
      var name = 'layer' + i, title = layer.title || 'layer ' + (i + 1);
      var feats = layer.features.map(function (f) {
        if (f.geometry && f.geometry.type === 'Polygon')
          return Object.assign({}, f, {geometry: {type: 'Polygon',
            coordinates: f.geometry.coordinates.map(clockwise)}});
        return f;
      });
      var valued = feats.some(function (f) {
        return f.properties && typeof f.properties.value === 'number';
      });
      spec.data.push({name: name, values: feats});
      var update = {stroke: {value: (layer.style && layer.style.stroke) || '#6a3d9a'},
                    strokeWidth: {value: 1.2}, fill: {value: 'transparent'},
                    tooltip: {signal: "datum.properties.name || datum.properties.value"}};
      if (valued) {
        spec.scales.push({name: name + 'Color', type: 'sequential', zero: true,
                          domain: {data: name, field: 'properties.value'},
                          range: {scheme: 'yelloworangered'}});
        /* Areas are filled by value (a probability grid), lines stroked (a flow). */
        var line = "indexof(datum.geometry.type, 'Line') >= 0";
        var num = "isNumber(datum.properties.value)";
        update.fill = [{test: num + ' && !(' + line + ')', scale: name + 'Color',
                        field: 'properties.value'}, {value: 'transparent'}];
        update.fillOpacity = {value: 0.7};
        update.stroke = [{test: num + ' && ' + line, scale: name + 'Color',
                          field: 'properties.value'}, update.stroke];
        update.strokeWidth = [{test: line, value: 3}, {test: num, value: 0}, {value: 1.2}];
        spec.legends.push({fill: name + 'Color', title: title, orient: 'top-left',
                           direction: 'horizontal', gradientLength: 110, titleLimit: 200,
                           fillColor: 'rgba(255,255,255,0.85)', padding: 6});
      }
      spec.marks.splice(at + i, 0, {type: 'shape', from: {data: name},
        encode: {update: update}, transform: [{type: 'geoshape', projection: 'proj'}]});
    });
  }

  /* ---- probabilities: metrics that are 0 or 1 in every replication ---------- */
  function probabilityView() {
    var rows = D.metrics.filter(function (m) { return m.binary && m.n > 0; })
      .map(function (m) {
        var lo = m.half_width === null ? m.mean : Math.max(0, m.mean - m.half_width);
        var hi = m.half_width === null ? m.mean : Math.min(1, m.mean + m.half_width);
        return {name: m.module + '.' + m.name, mean: m.mean, lo: lo, hi: hi};
      });
    if (!rows.length) return;
    var s = section('probabilities', 'Probabilities');
    addView(s, {
      width: 560, height: Math.max(120, rows.length * 22), padding: 5,
      title: 'Probability of each event across replications (bar: mean; whisker: 95% CI)',
      data: [{name: 'p', values: rows}],
      scales: [
        {name: 'y', type: 'band', domain: {data: 'p', field: 'name'}, range: 'height', padding: 0.2},
        {name: 'x', type: 'linear', domain: [0, 1], range: 'width'}
      ],
      axes: [{orient: 'bottom', scale: 'x', title: 'probability', format: '.0%'},
             {orient: 'left', scale: 'y', grid: false, labelLimit: 260}],
      marks: [
        {type: 'rect', from: {data: 'p'},
         encode: {update: {y: {scale: 'y', field: 'name'}, height: {scale: 'y', band: 1},
                           x: {scale: 'x', value: 0}, x2: {scale: 'x', field: 'mean'},
                           fill: {value: '#4c78a8'},
                           tooltip: {signal: "datum.name + ': ' + format(datum.mean, '.1%')"}}}},
        {type: 'rule', from: {data: 'p'},
         encode: {update: {y: {scale: 'y', field: 'name', band: 0.5},
                           x: {scale: 'x', field: 'lo'}, x2: {scale: 'x', field: 'hi'},
                           stroke: {value: '#222'}, strokeWidth: {value: 1.5}}}}
      ]
    });
  }
  /* ---- time series with 5-95% bands ---------------------------------------- */
  function seriesViews() {
    if (!D.bands.length) return;
    var s = section('series', 'Time series');
    D.bands.forEach(function (b) {
      var m = D.metrics[b.metric];
      var rows = [];
      for (var i = 0; i < b.t.length; i++)
        if (b.mean[i] !== null)
          rows.push({t: b.t[i] / 86400, mean: shown(m, b.mean[i]), lo: shown(m, b.p5[i]),
                     hi: shown(m, b.p95[i])});
      addView(s, {
        width: 560, height: 240, padding: 5,
        title: {text: label(m), subtitle: (m.description || '') +
                ' - line: mean; band: 5th to 95th percentile across ' + b.replications +
                ' replications'},
        data: [{name: 's', values: rows}],
        scales: [
          {name: 'x', type: 'linear', domain: {data: 's', field: 't'}, range: 'width'},
          {name: 'y', type: 'linear', domain: {data: 's', fields: ['lo', 'hi', 'mean']},
           range: 'height', nice: true, zero: true}
        ],
        axes: [{orient: 'bottom', scale: 'x', title: 'day'},
               {orient: 'left', scale: 'y', title: m.shown || m.unit || 'value'}],
        marks: [
          {type: 'area', from: {data: 's'},
           encode: {update: {x: {scale: 'x', field: 't'}, y: {scale: 'y', field: 'lo'},
                             y2: {scale: 'y', field: 'hi'}, fill: {value: '#9ecae1'},
                             fillOpacity: {value: 0.6}, interpolate: {value: 'step-after'}}}},
          {type: 'line', from: {data: 's'},
           encode: {update: {x: {scale: 'x', field: 't'}, y: {scale: 'y', field: 'mean'},
                             stroke: {value: '#08519c'}, strokeWidth: {value: 2},
                             interpolate: {value: 'step-after'}}}}
        ]
      }, 'half');
    });
  }

  /* ---- histograms of the metrics that vary ----------------------------------- */
  function histogramViews() {
    var ms = D.metrics.filter(function (m) { return m.values; });
    if (!ms.length) return;
    var s = section('histograms', 'Distributions');
    var grid = el('div', {'class': 'grid'});
    s.appendChild(grid);
    ms.forEach(function (m) {
      var rows = m.values.map(function (v) { return {v: shown(m, v)}; });
      addView(grid, {
        width: 340, height: 170, padding: 5,
        title: {text: label(m), limit: 380, subtitle: 'observed in ' + m.n + ' of ' + D.run.replications +
                ' replications'},
        data: [{name: 'h', values: rows,
                transform: [{type: 'extent', field: 'v', signal: 'ext'},
                            {type: 'bin', field: 'v', extent: {signal: 'ext'}, maxbins: 30},
                            {type: 'aggregate', groupby: ['bin0', 'bin1'], ops: ['count'],
                             as: ['count']}]}],
        scales: [
          {name: 'x', type: 'linear', domain: {data: 'h', fields: ['bin0', 'bin1']},
           range: 'width', zero: false},
          {name: 'y', type: 'linear', domain: {data: 'h', field: 'count'}, range: 'height',
           nice: true}
        ],
        axes: [{orient: 'bottom', scale: 'x', title: m.shown || m.unit || 'value',
                tickCount: 6, labelOverlap: true, format: '~s'},
               {orient: 'left', scale: 'y', title: 'replications', tickCount: 4}],
        marks: [{type: 'rect', from: {data: 'h'},
                 encode: {update: {x: {scale: 'x', field: 'bin0', offset: 0.5},
                                   x2: {scale: 'x', field: 'bin1', offset: -0.5},
                                   y: {scale: 'y', field: 'count'}, y2: {scale: 'y', value: 0},
                                   fill: {value: '#72a2c9'}}}}]
      }, 'third');
    });
  }

  /* ---- the synchronization matrix (document plan.sync) ------------------------
   * Two shapes are read: plain times (start_s, end_s) or, as src/plan writes it,
   * distributions over sampled replications (start, end, began: {p5, p50, p95}).
   * A bar runs from the median start to the median end; a thin rule from the 5th
   * percentile of the start to the 95th of the end. */
  function syncView() {
    var P = D.docs.sync;
    if (!P) return;
    var horizon = (P.scenario && P.scenario.horizon) || (D.scenario && D.scenario.horizon_s) ||
                  30 * 86400;
    function q(v, k) {
      if (typeof v === 'number') return v;
      return v && typeof v[k] === 'number' ? v[k] : null;
    }
    var lineName = {};
    (P.lines || []).forEach(function (l) {
      lineName[l.id] = (l.nation ? l.nation + ' ' : '') + (l.name || l.activity || l.id);
    });
    var tasks = [];
    (P.tasks || []).forEach(function (t) {
      var s0 = t.start_s !== undefined ? t.start_s : q(t.start, 'p50');
      var e0 = t.end_s !== undefined ? t.end_s : q(t.end, 'p50');
      if (s0 === null || s0 === undefined) return; /* never ran in the samples */
      if (e0 === null || e0 === undefined) e0 = horizon;
      var lo = t.start_s !== undefined ? t.start_s : q(t.start, 'p5');
      var hi = t.end_s !== undefined ? t.end_s : q(t.end, 'p95');
      tasks.push({name: t.name || t.id, line: lineName[t.line] || t.line || 'other',
                  phase: t.phase || '', start: s0 / 86400, end: e0 / 86400,
                  lo: (lo === null ? s0 : lo) / 86400, hi: (hi === null ? e0 : hi) / 86400,
                  share: typeof t.ran_share === 'number' ? t.ran_share : 1});
    });
    var starts = (P.phases || []).map(function (p) {
      return p.start_s !== undefined ? p.start_s : q(p.began, 'p50');
    });
    var phases = [];
    (P.phases || []).forEach(function (p, i) {
      if (starts[i] === null || starts[i] === undefined) return;
      var end = p.end_s;
      if (end === undefined)
        end = starts.slice(i + 1).filter(function (x) { return x !== null; })[0] || horizon;
      phases.push({name: p.name || p.id, start: starts[i] / 86400, end: end / 86400});
    });
    var s = section('sync', 'Synchronization matrix');
    if (!tasks.length) {
      s.appendChild(el('p', {}, 'No task ran in the sampled replications.'));
      return;
    }
    addView(s, {
      width: 760, height: Math.max(120, tasks.length * 22), padding: 5,
      title: {text: 'Tasks by line of effort over time, phases shaded',
              subtitle: 'bar: median start to median end; rule: 5th percentile of the ' +
                        'start to 95th of the end'},
      data: [{name: 'tasks', values: tasks}, {name: 'phases', values: phases}],
      scales: [
        {name: 'x', type: 'linear', domain: {fields: [{data: 'tasks', field: 'lo'},
          {data: 'tasks', field: 'hi'}, {data: 'phases', field: 'start'},
          {data: 'phases', field: 'end'}]}, range: 'width', nice: true, zero: true},
        {name: 'y', type: 'band', domain: {data: 'tasks', field: 'name'}, range: 'height',
         padding: 0.25},
        {name: 'c', type: 'ordinal', domain: {data: 'tasks', field: 'line'},
         range: {scheme: 'tableau10'}}
      ],
      axes: [{orient: 'bottom', scale: 'x', title: 'day'},
             {orient: 'left', scale: 'y', grid: false, labelLimit: 320}],
      legends: [{fill: 'c', title: 'line of effort', labelLimit: 220}],
      marks: [
        {type: 'rect', from: {data: 'phases'},
         encode: {update: {x: {scale: 'x', field: 'start'}, x2: {scale: 'x', field: 'end'},
                           y: {value: 0}, y2: {signal: 'height'},
                           fill: {value: '#f3f3f3'}, stroke: {value: '#bbb'}}}},
        {type: 'text', from: {data: 'phases'},
         encode: {update: {x: {scale: 'x', field: 'start', offset: 3}, y: {value: -4},
                           text: {field: 'name'}, fontSize: {value: 10}}}},
        {type: 'rule', from: {data: 'tasks'},
         encode: {update: {x: {scale: 'x', field: 'lo'}, x2: {scale: 'x', field: 'hi'},
                           y: {scale: 'y', field: 'name', band: 0.5},
                           stroke: {scale: 'c', field: 'line'}, strokeWidth: {value: 1}}}},
        {type: 'rect', from: {data: 'tasks'},
         encode: {update: {x: {scale: 'x', field: 'start'}, x2: {scale: 'x', field: 'end'},
                           y: {scale: 'y', field: 'name'}, height: {scale: 'y', band: 1},
                           fill: {scale: 'c', field: 'line'},
                           opacity: {signal: '0.35 + 0.65 * datum.share'},
                           tooltip: {signal: "datum.name + ' (' + datum.phase + '), ran in ' + " +
                                             "format(datum.share, '.0%') + ' of samples'"}}}}
      ]
    });
  }

  /* ---- the plan check's findings (document plan.findings) --------------------- */
  function findingsTable() {
    var F = D.docs.findings;
    if (!F) return;
    var list = Array.isArray(F) ? F : (F.findings || []);
    var s = section('findings', 'Plan check findings');
    if (!list.length) { s.appendChild(el('p', {}, 'The plan check found nothing.')); return; }
    var t = el('table', {'class': 'findings'});
    var h = el('tr');
    ['severity', 'where', 'finding'].forEach(function (c) { h.appendChild(el('th', {}, c)); });
    t.appendChild(h);
    list.forEach(function (f) {
      var r = el('tr', {'class': 'sev-' + (f.severity || 'note')});
      var where = f.file ? f.file + ':' + (f.line || 0) + ':' + (f.col || 0) : (f.where || '');
      r.appendChild(el('td', {}, f.severity || 'note'));
      r.appendChild(el('td', {'class': 'mono'}, where));
      var code = f.code || (f.kind && f.kind !== 'input' ? f.kind : '');
      r.appendChild(el('td', {}, (code ? '[' + code + '] ' : '') + (f.message || '')));
      t.appendChild(r);
    });
    s.appendChild(t);
  }

  /* ---- courses of action (document compare) ---------------------------------- */
  function compareSection() {
    var C = D.docs.compare;
    if (!C) return;
    var s = section('compare', 'Courses of action compared');
    s.appendChild(el('p', {}, 'Baseline: ' + C.coas[0].label + '. Each course of action ran ' +
      C.replications + ' replications with the same random streams as the baseline ' +
      '(common random numbers); a difference is ' + 'B \u2212 baseline, per replication, ' +
      'with its 95% confidence interval.'));
    C.coas.slice(1).forEach(function (coa) {
      s.appendChild(el('h3', {}, coa.label + ' vs ' + C.coas[0].label));
      var t = el('table', {'class': 'compare'});
      var h = el('tr');
      ['metric', 'unit', 'baseline', 'this', 'difference', '95% CI', 'verdict']
        .forEach(function (c) { h.appendChild(el('th', {}, c)); });
      t.appendChild(h);
      var rows = [];
      coa.rows.forEach(function (r) {
        var tr = el('tr', {'class': 'verdict-' + r.verdict.replace(/ /g, '-')});
        var k = r.scale, f = function (v) { return v === null ? '-' : (v * k).toPrecision(4); };
        [r.metric, r.shown, f(r.mean_a), f(r.mean_b), f(r.diff),
         r.half_width === null ? '-' : '\u00b1' + f(r.half_width), r.verdict]
          .forEach(function (c, i) { tr.appendChild(el('td', i ? {'class': 'num'} : {}, c)); });
        t.appendChild(tr);
        if (r.sd_a > 0 && r.half_width !== null)
          rows.push({metric: r.metric, d: r.diff / r.sd_a,
                     lo: (r.diff - r.half_width) / r.sd_a, hi: (r.diff + r.half_width) / r.sd_a,
                     verdict: r.verdict});
      });
      s.appendChild(t);
      if (!rows.length) return;
      addView(s, {
        width: 560, height: Math.max(100, rows.length * 20), padding: 5,
        title: {text: 'Standardized paired difference (difference / baseline sd) with 95% CI'},
        data: [{name: 'd', values: rows}],
        scales: [
          {name: 'y', type: 'band', domain: {data: 'd', field: 'metric'}, range: 'height',
           padding: 0.3},
          {name: 'x', type: 'linear', domain: {data: 'd', fields: ['lo', 'hi']}, range: 'width',
           nice: true, zero: true},
          {name: 'c', type: 'ordinal',
           domain: ['better', 'worse', 'differs', 'no significant difference'],
           range: ['#2ca02c', '#d62728', '#ff7f0e', '#7f7f7f']}
        ],
        axes: [{orient: 'bottom', scale: 'x', title: 'standard deviations'},
               {orient: 'left', scale: 'y', grid: false, labelLimit: 260}],
        legends: [{stroke: 'c', fill: 'c', title: 'verdict'}],
        marks: [
          {type: 'rule', encode: {update: {x: {scale: 'x', value: 0}, y: {value: 0},
                                           y2: {signal: 'height'}, stroke: {value: '#444'}}}},
          {type: 'rule', from: {data: 'd'},
           encode: {update: {y: {scale: 'y', field: 'metric', band: 0.5},
                             x: {scale: 'x', field: 'lo'}, x2: {scale: 'x', field: 'hi'},
                             stroke: {scale: 'c', field: 'verdict'}, strokeWidth: {value: 2}}}},
          {type: 'symbol', from: {data: 'd'},
           encode: {update: {y: {scale: 'y', field: 'metric', band: 0.5},
                             x: {scale: 'x', field: 'd'}, fill: {scale: 'c', field: 'verdict'},
                             size: {value: 40}}}}
        ]
      });
    });
  }

  /* ---- sections modules add: {title, text, vega} -------------------------------- */
  function moduleSections() {
    (D.docs.sections || []).forEach(function (doc, i) {
      var s = section('module-section-' + i, doc.title || 'Section ' + (i + 1));
      if (doc.text) s.appendChild(el('p', {}, doc.text));
      if (doc.vega) addView(s, doc.vega);
    });
  }

  function run() {
    var builders = [mapView, probabilityView, seriesViews, histogramViews, syncView,
                    findingsTable, compareSection, moduleSections];
    builders.forEach(function (b) {
      try { b(); } catch (e) { fail(b.name + ': ' + e); }
    });
    var runs = views.map(function (v) {
      try {
        var view = new vega.View(vega.parse(v.spec), {renderer: 'svg', container: v.el,
                                                      hover: true});
        return view.runAsync();
      } catch (e) { fail(e); return Promise.resolve(); }
    });
    Promise.all(runs).then(function () {
      var empty = views.filter(function (v) {
        var svg = v.el.querySelector('svg');
        return !svg || svg.querySelectorAll('path, rect, line, text').length === 0;
      }).length;
      if (empty) fail(empty + ' view(s) rendered nothing');
      status.setAttribute('data-views', String(views.length));
      status.setAttribute('data-status', errors.length ? 'error' : 'ok');
      status.textContent = errors.length ? 'errors: ' + errors.join('; ')
                                         : views.length + ' views rendered';
    }, function (e) {
      fail(e);
      status.setAttribute('data-status', 'error');
      status.textContent = 'errors: ' + errors.join('; ');
    });
  }
  run();
})();
