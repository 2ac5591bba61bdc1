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
  D.docs = {sync: readDoc('doc-sync'), tree: readDoc('doc-tree'), findings: readDoc('doc-findings'),
            compare: readDoc('doc-compare'), objectives: readDoc('doc-objectives'),
            sections: [], layers: []};
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
  /* onView(view), when given, is called with the Vega view once it is made.  info
   * (optional) is read by the browser test from the view's element: its metric, a
   * heavy tail's explanation, and with timeAxis the end of its x scale once drawn. */
  function addView(parent, spec, cls, onView, info) {
    var div = el('div', {'class': 'view ' + (cls || '')});
    info = info || {};
    if (info.metric) div.setAttribute('data-metric', info.metric);
    if (info.tail) div.setAttribute('data-heavy-tail', info.tail.join(' '));
    parent.appendChild(div);
    spec.config = Object.assign({}, CONFIG, spec.config || {});
    views.push({el: div, spec: spec, onView: onView, timeAxis: info.timeAxis});
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

  /* ---- numbers as the summary table shows them (rep_html.c does the same) ---- */
  function sigDecimals(x, k) { return x ? k - 1 - Math.floor(Math.log10(Math.abs(x))) : 0; }
  /* Three significant digits of the mean, a fourth when the CI is that narrow. */
  function decimals(mean, hw, percent) {
    var d;
    if (percent)
      return Math.max(0, Math.min(2, Math.max(Math.max(0, sigDecimals(mean, 2)),
                                              Math.min(Math.max(0, sigDecimals(mean, 2)) + 1,
                                                       hw > 0 ? sigDecimals(hw, 1) : 0))));
    if (!mean || !isFinite(mean)) d = hw > 0 ? sigDecimals(hw, 2) : 0;
    else {
      var d3 = sigDecimals(mean, 3), d4 = sigDecimals(mean, 4);
      var dh = hw > 0 ? sigDecimals(hw, 2) : d3;
      d = dh > d3 ? Math.min(dh, d4) : d3;
    }
    return Math.max(-12, Math.min(6, d));
  }
  function fmt(v, dec) {
    if (v === null || v === undefined || isNaN(v)) return '-';
    if (dec < 0) { var q = Math.pow(10, -dec); v = Math.round(v / q) * q; dec = 0; }
    var s = v.toFixed(dec);
    if (/^-[0.]*$/.test(s)) s = s.slice(1);
    var parts = s.split('.');
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return parts.join('.');
  }
  function withUnit(text, unit) {
    return text + (!unit ? '' : unit === '%' ? '%' : '\u2009' + unit);
  }
  var UNIT_NAMES = {h: 'hours', d: 'days', min: 'minutes', t: 'tonnes', kg: 'kilograms',
                    km: 'kilometres', kn: 'knots', '%': 'percent'};
  function unitName(m) { return UNIT_NAMES[m.shown] || m.shown || 'number'; }
  /* A Vega number format for axes: percent and plain numbers without SI prefixes
   * ("660m" would read as metres). */
  function axisFormat(m) { return m.percent ? '~r' : ',~r'; }
  var MODULE_TITLES = {crisis: 'Crisis events', escalation: 'Escalation ladder',
    spillover: 'Spillover to Japanese territory',
    plan: 'Plan: tasks, phases, situations and gates', inspection: 'Ship inspection',
    logistics: 'Logistics', sar: 'Search and rescue'};
  function moduleTitle(mod) { return MODULE_TITLES[mod] || mod; }
  /* "logistics.days_of_supply.kadena-wing.fuel" -> "Days of supply: kadena-wing, fuel";
   * a name without parts ("pos.t", a series, is "pos") by its description. */
  function capital(s) { return s.charAt(0).toUpperCase() + s.slice(1); }
  function describedByName(m) { return m.name.replace(/\.t$/, '').indexOf('.') >= 0; }
  function title(m) {
    var unit = m.shown ? ' (' + m.shown + ')' : '';
    if (!describedByName(m) && m.description)
      return capital(m.description.replace(/, over time$| over time$/, '')) + unit;
    var parts = m.name.split('.');
    var head = parts[0].replace(/_/g, ' ');
    head = head.charAt(0).toUpperCase() + head.slice(1);
    var rest = parts.slice(1).map(function (p) { return p.replace(/_/g, ' '); });
    return head + (rest.length ? ': ' + rest.join(', ') : '') + unit;
  }
  function byModule(list) { /* [[module, [items]]] in order of first appearance */
    var groups = [], at = {};
    list.forEach(function (x) {
      if (!(x.module in at)) { at[x.module] = groups.length; groups.push([x.module, []]); }
      groups[at[x.module]][1].push(x);
    });
    return groups;
  }

  /* ---- the theater map ---------------------------------------------------- */
  /* Land from the coastline and the rings' winding: report_land.js. */
  var landPolygons = straitsLandPolygons, clockwise = straitsClockwise;

  /* Fixed colours by kind, the same in every report (not by order of appearance);
   * a kind not listed is grey. */
  var REGION_KINDS = ['combat_area', 'territory', 'inspection_zone', 'exclusion',
                      'quarantine', 'blockade', 'sar_area', 'other'];
  var REGION_COLOURS = ['#d62728', '#1f77b4', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2',
                        '#17becf', '#7f7f7f'];
  var PLACE_KINDS = ['port', 'airfield', 'base', 'city', 'island', 'point', 'sea_area', 'other'];
  var PLACE_COLOURS = ['#d95f02', '#e7298a', '#7570b3', '#1b9e77', '#66a61e', '#666666',
                       '#a6761d', '#999999'];
  var ROUTE_KINDS = ['sea', 'air', 'land', 'other'];
  var ROUTE_COLOURS = ['#2ca02c', '#17becf', '#8c564b', '#7f7f7f'];
  function knownKind(kinds, k) { return kinds.indexOf(k) >= 0 ? k : 'other'; }
  function present(list, field) { /* kinds present, in the fixed order */
    var seen = {};
    list.forEach(function (x) { seen[field(x)] = 1; });
    return function (kinds) { return kinds.filter(function (k) { return seen[k]; }); };
  }
  var SEA = '#dcebf5', LAND = '#efeadf';
  function mapView() {
    var T = D.theater;
    if (!T || !T.features) return;
    var feats = T.features;
    var coast = D.coast ? D.coast.features : [];
    var bb = D.coast && D.coast.bbox ? D.coast.bbox : T.bbox;
    if (!bb) return; /* a scenario without places or regions: nothing to draw */
    var regions = feats.filter(function (f) { return f.properties.layer === 'region'; })
      .map(function (f) {
        return {type: 'Feature', properties: Object.assign({}, f.properties,
                  {kind: knownKind(REGION_KINDS, f.properties.kind)}),
                geometry: {type: 'Polygon', coordinates: f.geometry.coordinates.map(clockwise)}};
      });
    var routes = feats.filter(function (f) { return f.properties.layer === 'route'; })
      .map(function (f) {
        return Object.assign({}, f, {properties: Object.assign({}, f.properties,
                                      {kind: knownKind(ROUTE_KINDS, f.properties.kind)})});
      });
    var places = feats.filter(function (f) { return f.properties.layer === 'place'; })
      .map(function (f) {
        return {id: f.properties.id, name: f.properties.name || f.properties.id,
                kind: knownKind(PLACE_KINDS, f.properties.kind),
                lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1]};
      });
    var land = landPolygons(D.coast);
    var s = section('map', 'Theater', 'straits-top');
    var spec = {
      $schema: 'https://vega.github.io/schema/vega/v5.json',
      width: 900, height: 640, padding: {left: 4, right: 4, top: 4, bottom: 4},
      autosize: 'pad',
      title: {text: 'The theater: places, regions, routes' +
                    (D.docs.layers.length ? ' and what the models add' : '') +
                    (coast.length ? '' : ' (no coastline data)')},
      signals: [{name: 'extent', value: {type: 'Feature', properties: {},
        geometry: {type: 'MultiPoint', coordinates: [[bb[0], bb[1]], [bb[2], bb[3]]]}}}],
      projections: [{name: 'proj', type: 'mercator', fit: {signal: 'extent'},
                     size: {signal: '[width, height]'},
                     clipExtent: {signal: '[[0, 0], [width, height]]'}}],
      data: [
        {name: 'land', values: land},
        {name: 'graticule', transform: [{type: 'graticule', step: [5, 5]}]},
        {name: 'coast', values: coast},
        {name: 'regions', values: regions},
        {name: 'routes', values: routes},
        {name: 'places', values: places,
         transform: [{type: 'geopoint', projection: 'proj', fields: ['lon', 'lat']}]}
      ],
      scales: [
        {name: 'regionColor', type: 'ordinal', domain: REGION_KINDS, range: REGION_COLOURS},
        {name: 'routeColor', type: 'ordinal', domain: ROUTE_KINDS, range: ROUTE_COLOURS},
        {name: 'placeColor', type: 'ordinal', domain: PLACE_KINDS, range: PLACE_COLOURS}
      ],
      legends: [
        {fill: 'regionColor', title: 'region (by kind)', symbolType: 'square',
         values: present(regions, function (f) { return f.properties.kind; })(REGION_KINDS)},
        {stroke: 'routeColor', title: 'route', symbolType: 'stroke',
         values: present(routes, function (f) { return f.properties.kind; })(ROUTE_KINDS)},
        {fill: 'placeColor', title: 'place', symbolType: 'circle',
         values: present(places, function (p) { return p.kind; })(PLACE_KINDS)}
      ],
      marks: [
        {type: 'rect', name: 'sea', encode: {update: {x: {value: 0}, y: {value: 0},
          width: {signal: 'width'}, height: {signal: 'height'}, fill: {value: SEA}}}},
        {type: 'shape', name: 'landShapes', from: {data: 'land'},
         encode: {update: {fill: {signal: "datum.properties.level % 2 ? '" + LAND + "' : '" +
                                          SEA + "'"}, stroke: {value: null}}},
         transform: [{type: 'geoshape', projection: 'proj'}]},
        {type: 'shape', from: {data: 'graticule'},
         encode: {update: {stroke: {value: '#9fb7c9'}, strokeWidth: {value: 0.5},
                           strokeOpacity: {value: 0.6}, fill: {value: 'transparent'}}},
         transform: [{type: 'geoshape', projection: 'proj'}]},
        {type: 'shape', from: {data: 'coast'},
         encode: {update: {stroke: {value: '#7d7d70'}, strokeWidth: {value: 0.7},
                           fill: {value: 'transparent'}}},
         transform: [{type: 'geoshape', projection: 'proj'}]},
        {type: 'shape', from: {data: 'regions'},
         encode: {update: {fill: {scale: 'regionColor', field: 'properties.kind'},
                           fillOpacity: {value: 0.15},
                           stroke: {scale: 'regionColor', field: 'properties.kind'},
                           strokeWidth: {value: 1.5},
                           tooltip: {signal: "datum.properties.name + ' (' + datum.properties.kind + ')'"}}},
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
        {type: 'text', name: 'placeLabels', from: {data: 'placeMarks'},
         encode: {enter: {text: {field: 'datum.name'}, fontSize: {value: 11},
                          fill: {value: '#1a1a1a'}}},
         transform: [{type: 'label', size: {signal: '[width, height]'}, offset: [5],
                      anchor: ['right', 'left', 'top', 'bottom', 'top-right',
                               'bottom-right', 'top-left', 'bottom-left']}]}
      ]
    };
    /* Legends only for what the theater has (an empty one is a titled empty box). */
    spec.legends = spec.legends.filter(function (l) { return l.values.length; });
    addLayers(spec);
    var inset = sarInset(spec);
    theaterChrome(spec, bb, s);
    addView(s, spec, 'map theater', function (view, div) {
      window.addEventListener('resize', function () {
        var w = mapWidth(s);
        if (w !== view.width()) view.width(w).height(Math.round(w / spec.aspect)).runAsync();
      });
      /* what the browser test reads: land polygons drawn, zoom signals, and whether
       * every legend lies outside the map's rectangle */
      view.runAsync().then(function () {
        var sea = div.querySelector('.sea path, .sea rect');
        var box = sea ? sea.getBoundingClientRect() : null;
        var outside = Array.prototype.every.call(div.querySelectorAll('.role-legend'),
          function (g) {
            var r = g.getBoundingClientRect();
            return box && (r.left >= box.right - 1 || r.top >= box.bottom - 1);
          });
        div.setAttribute('data-land', String(view.data('land').length));
        div.setAttribute('data-zoom', String(view.signal('view').z));
        div.setAttribute('data-legends', outside ? 'outside' : 'over the map');
        div.setAttribute('data-labels', String(div.querySelectorAll('.placeLabels text').length));
        /* Only for the browser test (the address ends in ';selftest', e.g.
         * report.html#filter=fuel;selftest): a wheel turn zooms in, a double-click
         * resets.  A reader's page is never touched. */
        if (!/;selftest$/.test(window.location.hash)) return;
        var svg = div.querySelector('svg'), r = svg.getBoundingClientRect();
        var at = {clientX: r.left + r.width / 3, clientY: r.top + r.height / 3, bubbles: true};
        svg.dispatchEvent(new WheelEvent('wheel', Object.assign({deltaY: -300}, at)));
        return view.runAsync().then(function () {
          div.setAttribute('data-zoom-wheel', String(view.signal('view').z));
          svg.dispatchEvent(new MouseEvent('dblclick', at));
          return view.runAsync();
        }).then(function () {
          div.setAttribute('data-zoom-reset', String(view.signal('view').z));
        });
      });
    });
    if (inset) {
      inset.legends.forEach(function (l) { l.orient = 'right'; });
      addView(s, inset, 'map');
    }
  }
  function mapWidth(s) { return Math.max(480, (s.clientWidth || 1200) - 200); }
  /* What only the theater map has: the page's width, zoom and pan (wheel, drag,
   * double-click to reset), the graticule labelled on its edges, a scale bar, and the
   * legends below it. */
  function theaterChrome(spec, bb, s) {
    var rad = Math.PI / 180;
    var dl = (bb[2] - bb[0]) * rad, y0 = mercY(bb[1]), y1 = mercY(bb[3]);
    spec.aspect = Math.max(0.6, Math.min(2.5, dl / (y1 - y0)));
    spec.width = mapWidth(s);
    spec.height = Math.round(spec.width / spec.aspect);
    var cx = (bb[0] + bb[2]) / 2 * rad, cy = (y0 + y1) / 2;
    var span = Math.max(bb[2] - bb[0], bb[3] - bb[1]);
    var step = span > 24 ? 5 : span > 10 ? 2 : span > 4 ? 1 : 0.5;
    spec.data.forEach(function (d) {
      if (d.name === 'graticule') d.transform[0].step = [step, step];
    });
    var w = 'width / 2 - x()', h = 'height / 2 - y()';
    var wheel = 'clamp(view.z * pow(1.002, -event.deltaY * pow(16, event.deltaMode)), 1, 60)';
    spec.signals = [
      {name: 'k0', update: 'min(width / ' + dl + ', height / ' + (y1 - y0) + ')'},
      /* z: zoom (1: the whole theater); cx, cy: the centre in radians of longitude and
       * Mercator y */
      {name: 'view', value: {z: 1, cx: cx, cy: cy},
       on: [{events: {type: 'wheel', consume: true},
             update: '{z: ' + wheel + ', cx: view.cx - (' + w + ') / (k0 * view.z) + (' + w +
                     ') / (k0 * ' + wheel + '), cy: view.cy + (' + h + ') / (k0 * view.z) - (' +
                     h + ') / (k0 * ' + wheel + ')}'},
            {events: 'dblclick', update: '{z: 1, cx: ' + cx + ', cy: ' + cy + '}'},
            {events: '[mousedown, window:mouseup] > window:mousemove',
             update: '{z: view.z, cx: down.cx - (x() - down.x) / (k0 * view.z), ' +
                     'cy: down.cy + (y() - down.y) / (k0 * view.z)}'}]},
      {name: 'down', value: {x: 0, y: 0, cx: cx, cy: cy},
       on: [{events: 'mousedown', update: '{x: x(), y: y(), cx: view.cx, cy: view.cy}'}]},
      {name: 'k', update: 'k0 * view.z'},
      /* kilometres a pixel at the centre, and bars of a round length about 120 px */
      {name: 'kmpx', update: '6371.0088 * cos(2 * atan(exp(view.cy)) - PI / 2) / k'},
      {name: 'barKm', update: 'pow(10, floor(log(120 * kmpx) / LN10)) * ' +
        '(120 * kmpx / pow(10, floor(log(120 * kmpx) / LN10)) >= 5 ? 5 : ' +
        '120 * kmpx / pow(10, floor(log(120 * kmpx) / LN10)) >= 2 ? 2 : 1)'},
      {name: 'nmpx', update: 'kmpx / 1.852'},
      {name: 'barNm', update: 'pow(10, floor(log(120 * nmpx) / LN10)) * ' +
        '(120 * nmpx / pow(10, floor(log(120 * nmpx) / LN10)) >= 5 ? 5 : ' +
        '120 * nmpx / pow(10, floor(log(120 * nmpx) / LN10)) >= 2 ? 2 : 1)'}
    ];
    spec.projections = [{name: 'proj', type: 'mercator', scale: {signal: 'k'},
                         translate: {signal: '[width / 2 - k * view.cx, height / 2 + k * view.cy]'},
                         clipExtent: {signal: '[[0, 0], [width, height]]'}}];
    /* the graticule's labels on the left and bottom edges */
    var ticks = [];
    for (var lon = Math.ceil((bb[0] - 20) / step) * step; lon <= bb[2] + 20; lon += step)
      ticks.push({lon: lon, lat: (bb[1] + bb[3]) / 2, axis: 'lon',
                  text: Math.abs(lon % 360 > 180 ? 360 - lon % 360 : lon) + '°' +
                        (lon % 360 > 180 || lon < 0 ? 'W' : lon % 180 === 0 ? '' : 'E')});
    for (var lat = Math.ceil((bb[1] - 20) / step) * step; lat <= bb[3] + 20; lat += step)
      if (Math.abs(lat) < 85)
        ticks.push({lon: (bb[0] + bb[2]) / 2, lat: lat, axis: 'lat',
                    text: Math.abs(lat) + '°' + (lat > 0 ? 'N' : lat < 0 ? 'S' : '')});
    spec.data.push({name: 'ticks', values: ticks,
                    transform: [{type: 'geopoint', projection: 'proj', fields: ['lon', 'lat']},
                                {type: 'filter', expr: "datum.axis === 'lon' ? " +
                                  'datum.x > 20 && datum.x < width - 20 : ' +
                                  'datum.y > 12 && datum.y < height - 12'}]});
    spec.data.push({name: 'bar', values: [{}]});
    var halo = {stroke: {value: '#fff'}, strokeWidth: {value: 3}, strokeOpacity: {value: 0.8}};
    var edge = [halo, {}].map(function (hl) {
      return {type: 'text', from: {data: 'ticks'},
        encode: {update: Object.assign({
          x: {signal: "datum.axis === 'lon' ? datum.x : 3"},
          y: {signal: "datum.axis === 'lon' ? height - 3 : datum.y"},
          align: {signal: "datum.axis === 'lon' ? 'center' : 'left'"},
          baseline: {signal: "datum.axis === 'lon' ? 'bottom' : 'middle'"},
          text: {field: 'text'}, fontSize: {value: 10}, fill: {value: '#35536b'}}, hl)}};
    });
    var sb = function (row, len, label) {
      var y = 'height - ' + (34 - row * 16);
      return [
        {type: 'rule', from: {data: 'bar'}, encode: {update: {x: {signal: 'width - 24 - ' + len},
          x2: {signal: 'width - 24'}, y: {signal: y}, stroke: {value: '#222'},
          strokeWidth: {value: 3}}}},
        {type: 'text', from: {data: 'bar'}, encode: {update: Object.assign({
          x: {signal: 'width - 28 - ' + len}, y: {signal: y}, align: {value: 'right'},
          baseline: {value: 'middle'}, fontSize: {value: 10}, fill: {value: '#222'},
          text: {signal: label}}, halo)}},
        {type: 'text', from: {data: 'bar'}, encode: {update: {
          x: {signal: 'width - 28 - ' + len}, y: {signal: y}, align: {value: 'right'},
          baseline: {value: 'middle'}, fontSize: {value: 10}, fill: {value: '#222'},
          text: {signal: label}}}}];
    };
    spec.marks = spec.marks.concat(edge,
      sb(0, 'barKm / kmpx', "format(barKm, ',') + ' km'"),
      sb(1, 'barNm / nmpx', "format(barNm, ',') + ' NM'"));
    spec.marks.push({type: 'text', name: 'hint', encode: {update: {x: {signal: 'width - 4'},
      y: {value: 4}, align: {value: 'right'}, baseline: {value: 'top'}, fontSize: {value: 10},
      fill: {value: '#35536b'}, text: {value: 'wheel: zoom · drag: pan · double-click: reset'}}}});
    /* the legends beside the map, off the land, in one column on its right */
    spec.legends.forEach(function (l) {
      l.orient = 'right';
      delete l.fillColor;
    });
    spec.config = {legend: {labelFontSize: 11, titleFontSize: 12, offset: 12, rowPadding: 3,
                            labelLimit: 170}};
  }

  /* ---- the SAR case, zoomed: at theater scale a case covers a few pixels -------- */
  var SAR_CASE_LAYERS = {'sar-probability': 1, 'sar-search': 1};
  function sarLayerKind(layer) {
    var f = layer.features[0];
    return f && f.properties ? f.properties.layer : null;
  }
  /* lon/lat box [w, s, e, n] of the case layers' features, or null. */
  function sarCaseBox() {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    function visit(c) {
      if (typeof c[0] === 'number') {
        b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
        b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
      } else c.forEach(visit);
    }
    D.docs.layers.forEach(function (layer) {
      if (!SAR_CASE_LAYERS[sarLayerKind(layer)]) return;
      layer.features.forEach(function (f) { if (f.geometry) visit(f.geometry.coordinates); });
    });
    if (!(b[0] <= b[2])) return null;
    /* a margin of a fifth each side, and at least 0.3 degrees across */
    var mx = Math.max(0.2 * (b[2] - b[0]), 0.15 - 0.5 * (b[2] - b[0]), 0.02);
    var my = Math.max(0.2 * (b[3] - b[1]), 0.15 - 0.5 * (b[3] - b[1]), 0.02);
    return [b[0] - mx, b[1] - my, b[2] + mx, b[3] + my];
  }
  /* Mercator y of a latitude (degrees), for the inset's aspect ratio. */
  function mercY(lat) { return Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)); }
  /* Outlines the case's box on the theater map (spec) and returns the inset: the same
   * map fitted to the box, with only the SAR layers, or null without a case. */
  function sarInset(spec) {
    var box = sarCaseBox();
    if (!box) return null;
    var ring = clockwise([[box[0], box[1]], [box[0], box[3]], [box[2], box[3]], [box[2], box[1]],
                [box[0], box[1]]]); /* as Vega's spherical fill wants */
    var inset = JSON.parse(JSON.stringify(spec)); /* plain data: a deep copy */
    spec.data.push({name: 'insetBox', values: [{type: 'Feature', properties: {},
      geometry: {type: 'Polygon', coordinates: [ring]}}]});
    spec.marks.push({type: 'shape', from: {data: 'insetBox'},
      encode: {update: {stroke: {value: '#111'}, strokeWidth: {value: 1.5},
                        strokeDash: {value: [4, 2]}, fill: {value: 'transparent'},
                        tooltip: {value: 'search and rescue case: zoomed below'}}},
      transform: [{type: 'geoshape', projection: 'proj'}]});
    /* a box a few pixels wide is easy to miss: a marker of fixed size on it, and a
     * label with a white halo over the crowd of place names */
    spec.data.push({name: 'insetLabel', values: [{lon: (box[0] + box[2]) / 2,
                                                  lat: (box[1] + box[3]) / 2}],
                    transform: [{type: 'geopoint', projection: 'proj', fields: ['lon', 'lat']}]});
    spec.marks.push({type: 'symbol', from: {data: 'insetLabel'},
      encode: {update: {x: {field: 'x'}, y: {field: 'y'}, shape: {value: 'square'},
                        size: {value: 400}, fill: {value: 'transparent'},
                        stroke: {value: '#111'}, strokeWidth: {value: 1.5},
                        strokeDash: {value: [3, 2]}}}});
    [{stroke: {value: '#fff'}, strokeWidth: {value: 3}}, {}].forEach(function (halo) {
      spec.marks.push({type: 'text', from: {data: 'insetLabel'},
        encode: {update: Object.assign({x: {field: 'x'}, y: {field: 'y'}, dx: {value: 12},
                                        dy: {value: -12}, text: {value: 'SAR case (zoomed below)'},
                                        fontSize: {value: 11}, fontWeight: {value: 'bold'},
                                        fill: {value: '#111'}}, halo)}});
    });
    /* keep the SAR layers (datums too), drop the others with their scales and legends */
    var drop = {};
    D.docs.layers.forEach(function (layer, i) {
      var kind = sarLayerKind(layer);
      if (!kind || kind.indexOf('sar-') !== 0) drop['layer' + i] = 1;
    });
    inset.data = inset.data.filter(function (d) { return !drop[d.name]; });
    inset.marks = inset.marks.filter(function (m) { return !(m.from && drop[m.from.data]); });
    inset.scales = inset.scales.filter(function (c) { return !drop[c.name.replace(/Color$/, '')]; });
    inset.legends = inset.legends.filter(function (l) {
      var scale = l.fill || l.stroke || '';
      return !drop[scale.replace(/Color$/, '')] && scale !== 'routeColor' && scale !== 'placeColor';
    });
    inset.legends.forEach(function (l) { if (l.titleLimit) l.titleLimit = 360; });
    /* only the places inside: marks far off the canvas would pull the title with them */
    inset.data.forEach(function (d) {
      if (d.name === 'places')
        d.values = d.values.filter(function (p) {
          return p.lon >= box[0] && p.lon <= box[2] && p.lat >= box[1] && p.lat <= box[3];
        });
    });
    var span = Math.max(box[2] - box[0], box[3] - box[1]);
    var step = span > 6 ? 1 : span > 3 ? 0.5 : span > 1.2 ? 0.25 : 0.1;
    inset.data.forEach(function (d) {
      if (d.name === 'graticule') d.transform[0].step = [step, step];
    });
    inset.signals[0].value.geometry.coordinates = [[box[0], box[1]], [box[2], box[3]]];
    var dx = (box[2] - box[0]) * Math.PI / 180, dy = mercY(box[3]) - mercY(box[1]);
    inset.height = Math.round(Math.min(640, Math.max(320, inset.width * dy / dx))) + 24;
    var km = Math.round((box[2] - box[0]) * 111.32 * Math.cos((box[1] + box[3]) * Math.PI / 360));
    inset.title = {text: 'Search and rescue: the first case, zoomed (dashed box above; about ' +
                         km + ' km across, graticule every ' + step + '°)', frame: 'group'};
    searchKey(inset);
    return inset;
  }
  /* Which search rectangle is whose: a key of the units' colours, and each rectangle
   * labelled with its unit and number at its north-west corner. */
  function searchKey(inset) {
    var units = [], colour = {}, count = {}, labels = [];
    D.docs.layers.forEach(function (layer) {
      layer.features.forEach(function (f) {
        var p = f.properties || {};
        if (p.layer !== 'sar-search' || !f.geometry) return;
        var u = p.unit || p.name || 'search';
        if (!(u in colour)) { units.push(u); colour[u] = p.stroke || (layer.style && layer.style.stroke) || '#6a3d9a'; }
        count[u] = (count[u] || 0) + 1;
        var w = Infinity, n = -Infinity;
        (function visit(c) {
          if (typeof c[0] === 'number') { w = Math.min(w, c[0]); n = Math.max(n, c[1]); }
          else c.forEach(visit);
        })(f.geometry.coordinates);
        labels.push({lon: w, lat: n, colour: colour[u],
                     text: p.number !== undefined ? u + ' #' + p.number : u});
      });
    });
    if (!units.length) return;
    var names = units.map(function (u) {
      return u + (count[u] > 1 ? ' (' + count[u] + ' searches)' : '');
    });
    inset.scales.push({name: 'searchUnit', type: 'ordinal', domain: names,
                       range: units.map(function (u) { return colour[u]; })});
    inset.legends.push({stroke: 'searchUnit', title: 'searches flown, by unit',
                        orient: 'top-right', symbolType: 'square', symbolStrokeWidth: 2,
                        symbolFillColor: 'transparent', labelLimit: 260,
                        fillColor: 'rgba(255,255,255,0.85)', padding: 6});
    inset.data.push({name: 'searchLabels', values: labels,
                     transform: [{type: 'geopoint', projection: 'proj', fields: ['lon', 'lat']}]});
    [{stroke: {value: '#fff'}, strokeWidth: {value: 3}}, {}].forEach(function (halo) {
      inset.marks.push({type: 'text', from: {data: 'searchLabels'},
        encode: {update: Object.assign({x: {field: 'x'}, y: {field: 'y'}, dx: {value: 2},
                                        dy: {value: -3}, text: {field: 'text'},
                                        fontSize: {value: 10}, fontWeight: {value: 'bold'},
                                        fill: {field: 'colour'}}, halo)}});
    });
  }
  /* A legend title in lines of at most about `width` characters (Vega draws an array
   * of strings as lines), so a long layer title is read, not cut. */
  function wrapTitle(text, width) {
    var lines = [], line = '';
    String(text).split(/\s+/).forEach(function (w) {
      if (line && (line + ' ' + w).length > width) { lines.push(line); line = w; }
      else line = line ? line + ' ' + w : w;
    });
    if (line) lines.push(line);
    return lines.length > 1 ? lines : lines[0] || '';
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
      /* A feature's own properties.stroke (one colour per search unit) before the
       * layer's. */
      var own = {test: 'isString(datum.properties.stroke)', field: 'properties.stroke'};
      var update = {stroke: [own, {value: (layer.style && layer.style.stroke) || '#6a3d9a'}],
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
                          field: 'properties.value'}].concat(update.stroke);
        update.strokeWidth = [{test: line, value: 3}, {test: num, value: 0}, {value: 1.2}];
        spec.legends.push({fill: name + 'Color', title: wrapTitle(title, 26), orient: 'top-left',
                           direction: 'horizontal', gradientLength: 110, titleLimit: 200,
                           fillColor: 'rgba(255,255,255,0.85)', padding: 6});
      }
      spec.marks.splice(at + i, 0, {type: 'shape', from: {data: name},
        encode: {update: update}, transform: [{type: 'geoshape', projection: 'proj'}]});
    });
  }

  /* ---- probabilities: metrics that are 0 or 1 in every replication ---------- */
  var DIR_NAMES = {'-1': 'lower is better', '1': 'higher is better', '0': 'depends'};
  function probabilityView() {
    /* Constant ones say nothing unless they are headline (an event always, or never,
     * happening is then worth seeing). */
    var rows = D.metrics.filter(function (m) {
      return m.binary && m.n > 0 && !m.internal && (m.headline || (m.mean > 0 && m.mean < 1));
    }).map(function (m) {
      var lo = m.ci95_low === null ? m.mean : m.ci95_low;
      var hi = m.ci95_high === null ? m.mean : m.ci95_high;
      return {name: m.module + '.' + m.name, mean: m.mean, lo: lo, hi: hi,
              dir: DIR_NAMES[String(m.direction)], text: m.description};
    });
    if (!rows.length) return;
    var s = section('probabilities', 'How often things happened', 'straits-outcomes');
    s.appendChild(el('p', {'class': 'note'}, 'Share of the ' + D.run.replications +
      ' replications in which each event occurred (or each task ran), with its 95% ' +
      'confidence interval; coloured by which way is good.'));
    addView(s, {
      width: 620, height: Math.max(120, rows.length * 20), padding: 5,
      title: {text: 'Probability of each event and task', subtitle: 'bar: share of ' +
              'replications; whisker: 95% confidence interval (Wilson)'},
      data: [{name: 'p', values: rows}],
      scales: [
        {name: 'y', type: 'band', domain: {data: 'p', field: 'name'}, range: 'height', padding: 0.2},
        {name: 'x', type: 'linear', domain: [0, 1], range: 'width'},
        {name: 'c', type: 'ordinal', domain: ['lower is better', 'higher is better', 'depends'],
         range: ['#d6604d', '#4d9221', '#4c78a8']}
      ],
      axes: [{orient: 'bottom', scale: 'x', title: 'share of replications', format: '.0%'},
             {orient: 'top', scale: 'x', format: '.0%', grid: false},
             {orient: 'left', scale: 'y', grid: false, labelLimit: 300}],
      legends: [{fill: 'c', title: 'which way is good', orient: 'right', offset: 40}],
      marks: [
        {type: 'rect', from: {data: 'p'},
         encode: {update: {y: {scale: 'y', field: 'name'}, height: {scale: 'y', band: 1},
                           x: {scale: 'x', value: 0}, x2: {scale: 'x', field: 'mean'},
                           fill: {scale: 'c', field: 'dir'},
                           tooltip: {signal: "datum.name + ': ' + format(datum.mean, '.1%') + " +
                                             "' - ' + datum.text"}}}},
        {type: 'rule', from: {data: 'p'},
         encode: {update: {y: {scale: 'y', field: 'name', band: 0.5},
                           x: {scale: 'x', field: 'lo'}, x2: {scale: 'x', field: 'hi'},
                           stroke: {value: '#222'}, strokeWidth: {value: 1.5}}}},
        {type: 'text', from: {data: 'p'},
         encode: {update: {y: {scale: 'y', field: 'name', band: 0.5}, baseline: {value: 'middle'},
                           x: {scale: 'x', field: 'hi', offset: 4}, fontSize: {value: 10},
                           fill: {value: '#333'},
                           text: {signal: "format(datum.mean, datum.mean < 0.1 ? '.1%' : '.0%')"}}}}
      ]
    });
  }

  /* ---- time series with 5-95% bands ---------------------------------------- */
  /* The scenario's horizon in days: time axes end there, since nothing is simulated
   * after it (null when the run stored no scenario document). */
  function horizonDays() {
    var h = D.scenario && D.scenario.horizon_s;
    return typeof h === 'number' && h > 0 ? h / 86400 : null;
  }
  function timeDomain(lastDay) {
    var h = horizonDays();
    return [0, h !== null ? h : lastDay];
  }
  /* A band whose mean and percentiles hold one value throughout draws a flat line:
   * the value, or null when the band varies. */
  function constantBand(b) {
    var v = null;
    for (var i = 0; i < b.t.length; i++) {
      var xs = [b.mean[i], b.p5[i], b.p95[i]];
      for (var k = 0; k < 3; k++) {
        if (xs[k] === null) continue;
        if (v === null) v = xs[k];
        else if (xs[k] !== v) return null;
      }
    }
    return v;
  }
  /* One collapsed note per section for the charts not drawn because they would be
   * flat: items are {metric, value} (value in the metric's stored unit). */
  /* One value of m (stored unit) in its shown unit, to three significant digits. */
  function valueText(m, v) {
    var x = shown(m, v);
    return withUnit(fmt(x, Math.max(0, sigDecimals(x, 3))), m.shown);
  }
  function constantNote(parent, items, what) {
    if (!items.length) return;
    var d = el('details', {'class': 'group constant', 'data-count': String(items.length)});
    var sum = el('summary');
    sum.appendChild(el('span', {'class': 'group-title'}, items.length + ' constant metric' +
                       (items.length > 1 ? 's' : '')));
    sum.appendChild(el('span', {'class': 'count'}, ' ' + what));
    d.appendChild(sum);
    var ul = el('ul');
    items.forEach(function (x) {
      var li = el('li', {'data-metric': x.metric.module + '.' + x.metric.name});
      li.appendChild(el('span', {'class': 'id'}, x.metric.module + '.' + x.metric.name));
      li.appendChild(document.createTextNode(': ' + valueText(x.metric, x.value)));
      ul.appendChild(li);
    });
    d.appendChild(ul);
    parent.appendChild(d);
  }
  function seriesViews() {
    var bands = D.bands.filter(function (b) { return !D.metrics[b.metric].internal; });
    if (!bands.length) return;
    var s = section('series', 'Over time');
    s.appendChild(el('p', {'class': 'note'}, 'Each chart: the mean over replications (line) ' +
      'and the band from the 5th to the 95th percentile across them, day by day.'));
    var flat = [], varying = [];
    bands.forEach(function (b) {
      var v = constantBand(b);
      if (v !== null) flat.push({metric: D.metrics[b.metric], value: v});
      else varying.push(b);
    });
    constantNote(s, flat, 'the same value at every time in every replication; not drawn');
    byModule(varying.map(function (b) {
      return {module: D.metrics[b.metric].module, band: b};
    })).forEach(function (g) {
      s.appendChild(el('h3', {}, moduleTitle(g[0])));
      var grid = el('div', {'class': 'grid two'});
      s.appendChild(grid);
      g[1].forEach(function (x) { seriesView(grid, x.band); });
    });
  }
  /* Where the mean leaves the 5-95% band, a few replications far out pull it there:
   * say so (two subtitle lines), at the time the most replications lie above p95.
   * Null when the mean stays inside. */
  function bandTail(b, m) {
    var outside = 0, at = -1;
    for (var i = 0; i < b.t.length; i++) {
      if (b.mean[i] === null) continue;
      if (b.mean[i] > b.p95[i]) {
        outside++;
        if (at < 0 || (b.over && b.over[i] > b.over[at])) at = i;
      } else if (b.mean[i] < b.p5[i]) outside++;
    }
    if (!outside) return null;
    var lines = ['Mean outside the band at ' + outside + ' of ' + b.t.length +
                 ' times: a heavy tail.'];
    if (at >= 0 && b.over && b.max)
      lines.push('At day ' + fmt(b.t[at] / 86400, 1) + ', ' + fmt(100 * b.over[at], 0) +
                 '% of replications lie above the 95th percentile; the max is ' +
                 valueText(m, b.max[at]) + '.');
    else
      lines.push('The mean lies below the 5th percentile: the tail is a low one.');
    return lines;
  }
  function seriesView(parent, b) {
    var m = D.metrics[b.metric];
    var rows = [];
    var dom = timeDomain(b.t[b.t.length - 1] / 86400);
    for (var i = 0; i < b.t.length; i++)
      if (b.mean[i] !== null && b.t[i] / 86400 <= dom[1])
        rows.push({t: b.t[i] / 86400, mean: shown(m, b.mean[i]), lo: shown(m, b.p5[i]),
                   hi: shown(m, b.p95[i])});
    if (!rows.length) return; /* never observed: the table says so */
    var tail = bandTail(b, m);
    addView(parent, {
      width: 500, height: 200, padding: 5,
      title: {text: title(m), limit: 560, subtitleLimit: 560,
              subtitle: [describedByName(m) ? (m.description || '') : '',
                         m.module + '.' + m.name + ' over ' + b.replications + ' replications' +
                         (m.direction ? '; ' + DIR_NAMES[String(m.direction)] : '')]
                        .concat(tail || []).filter(Boolean)},
      data: [{name: 's', values: rows}],
      scales: [
        {name: 'x', type: 'linear', domain: dom, range: 'width'},
        {name: 'y', type: 'linear', domain: {data: 's', fields: ['lo', 'hi', 'mean']},
         range: 'height', nice: true, zero: true},
        {name: 'key', type: 'ordinal', domain: ['mean', '5th to 95th percentile'],
         range: ['#08519c', '#9ecae1']}
      ],
      axes: [{orient: 'bottom', scale: 'x', title: 'day of the scenario'},
             {orient: 'left', scale: 'y', title: unitName(m), format: axisFormat(m),
              tickCount: 5}],
      legends: [{fill: 'key', orient: 'bottom', direction: 'horizontal', symbolType: 'square',
                 labelFontSize: 10}],
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
    }, 'series', null, {metric: m.module + '.' + m.name, timeAxis: true, tail: tail});
  }

  /* ---- histograms of the metrics that vary ----------------------------------- */
  function histogramViews() {
    /* rep_html.c sends the values of the metrics that vary; one that held a single
     * value in every replication it was observed in is listed, not drawn. */
    var flat = D.metrics.filter(function (m) {
      return !m.internal && !m.series && m.n && m.min === m.max;
    }).map(function (m) { return {metric: m, value: m.min}; });
    var ms = D.metrics.filter(function (m) { return m.values && !m.internal; });
    if (!ms.length && !flat.length) return;
    var s = section('histograms', 'Distributions');
    s.appendChild(el('p', {'class': 'note'}, 'How each metric varied across replications ' +
      '(those where it was observed). Headline metrics are open; the others are grouped ' +
      'by model.'));
    constantNote(s, flat, 'one value in every replication; no histogram');
    var head = ms.filter(function (m) { return m.headline; });
    if (head.length) {
      var grid = el('div', {'class': 'grid'});
      s.appendChild(grid);
      head.forEach(function (m) { histogramView(grid, m); });
    }
    byModule(ms.filter(function (m) { return !m.headline; })).forEach(function (g) {
      var d = el('details', {'class': 'group'});
      var sum = el('summary');
      sum.appendChild(el('span', {'class': 'group-title'}, moduleTitle(g[0])));
      sum.appendChild(el('span', {'class': 'count'}, ' ' + g[1].length + ' histogram' +
                                                      (g[1].length > 1 ? 's' : '')));
      d.appendChild(sum);
      var grid = el('div', {'class': 'grid'});
      d.appendChild(grid);
      s.appendChild(d);
      g[1].forEach(function (m) { histogramView(grid, m); });
    });
  }
  /* As bandTail, for one metric across replications. */
  function valuesTail(m) {
    if (m.mean === null || m.p95 === null || (m.mean <= m.p95 && m.mean >= m.p5)) return null;
    var seen = m.values.filter(function (v) { return v !== null; });
    var high = m.mean > m.p95;
    var far = seen.filter(function (v) { return high ? v > m.p95 : v < m.p5; }).length;
    return ['Mean ' + (high ? 'above the 95th' : 'below the 5th') + ' percentile: a heavy tail.',
            fmt(100 * far / seen.length, 0) + '% of replications lie ' +
            (high ? 'above it; the max is ' + valueText(m, m.max)
                  : 'below it; the min is ' + valueText(m, m.min)) + '.'];
  }
  function histogramView(parent, m) {
    var rows = m.values.filter(function (v) { return v !== null; })
      .map(function (v) { return {v: shown(m, v)}; });
    var tail = valuesTail(m);
    addView(parent, {
      width: 340, height: 150, padding: 5,
      title: {text: title(m), limit: 380, subtitleLimit: 380,
              subtitle: [m.module + '.' + m.name, 'observed in ' + m.n + ' of ' +
                         D.run.replications + ' replications' +
                         (m.direction ? '; ' + DIR_NAMES[String(m.direction)] : '')]
                        .concat(tail || [])},
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
      axes: [{orient: 'bottom', scale: 'x', title: unitName(m), tickCount: 6,
              labelOverlap: true, format: axisFormat(m)},
             {orient: 'left', scale: 'y', title: 'replications', tickCount: 4}],
      marks: [{type: 'rect', from: {data: 'h'},
               encode: {update: {x: {scale: 'x', field: 'bin0', offset: 0.5},
                                 x2: {scale: 'x', field: 'bin1', offset: -0.5},
                                 y: {scale: 'y', field: 'count'}, y2: {scale: 'y', value: 0},
                                 fill: {value: '#72a2c9'},
                                 tooltip: {signal: "format(datum.bin0, ',.3~r') + ' to ' + " +
                                   "format(datum.bin1, ',.3~r') + ': ' + datum.count"}}}}]
    }, 'histogram', null, {metric: m.module + '.' + m.name, tail: tail});
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
    /* Nothing runs past the horizon: a time beyond it (an end the plan asked for, a
     * percentile of a task still running) is drawn at it. */
    function clip(x) { return x === null || x === undefined ? x : Math.min(x, horizon); }
    function q(v, k) {
      if (typeof v === 'number') return v;
      return v && typeof v[k] === 'number' ? v[k] : null;
    }
    var lineName = {};
    (P.lines || []).forEach(function (l) {
      lineName[l.id] = (l.nation ? l.nation + ' ' : '') + (l.name || l.activity || l.id);
    });
    /* Each task's critical link -- the one most often last to hold before it started,
     * from the run's metrics plan.task.ID.critical.LINK (a task with decisions) -- is
     * written on its bar ("held by ..."). */
    var critical = {};
    D.metrics.forEach(function (m) {
      var g = m.module === 'plan' && m.n > 0 && /^task\.(.+)\.critical\.(.+)$/.exec(m.name);
      if (!g || typeof m.mean !== 'number') return;
      var c = critical[g[1]];
      if (!c || m.mean > c.share) critical[g[1]] = {link: g[2], share: m.mean};
    });
    var tasks = [];
    (P.tasks || []).forEach(function (t) {
      var s0 = t.start_s !== undefined ? t.start_s : q(t.start, 'p50');
      var e0 = t.end_s !== undefined ? t.end_s : q(t.end, 'p50');
      if (s0 === null || s0 === undefined) return; /* never ran in the samples */
      if (e0 === null || e0 === undefined) e0 = horizon;
      if (s0 >= horizon) return; /* starts at or after the horizon: never drawn */
      e0 = clip(e0);
      var lo = t.start_s !== undefined ? t.start_s : q(t.start, 'p5');
      var hi = clip(t.end_s !== undefined ? t.end_s : q(t.end, 'p95'));
      tasks.push({name: t.name || t.id, line: lineName[t.line] || t.line || 'other',
                  phase: t.phase || '', start: s0 / 86400, end: e0 / 86400,
                  lo: (lo === null ? s0 : lo) / 86400, hi: (hi === null ? e0 : hi) / 86400,
                  share: typeof t.ran_share === 'number' ? t.ran_share : 1,
                  critical: critical[t.id] ? 'held by ' + critical[t.id].link + ' (' +
                            fmt(100 * critical[t.id].share, 0) + '%)' : ''});
    });
    var starts = (P.phases || []).map(function (p) {
      return p.start_s !== undefined ? p.start_s : q(p.began, 'p50');
    });
    var phases = [];
    (P.phases || []).forEach(function (p, i) {
      if (starts[i] === null || starts[i] === undefined || starts[i] >= horizon) return;
      var end = clip(p.end_s);
      if (end === undefined)
        end = clip(starts.slice(i + 1).filter(function (x) { return x !== null; })[0] || horizon);
      /* Labels of neighbouring phases on alternate lines, so close ones stay legible. */
      phases.push({name: p.name || p.id, start: starts[i] / 86400, end: end / 86400,
                   row: phases.length % 2});
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
                        'start to 95th of the end; fainter: ran in fewer replications' +
                        (Object.keys(critical).length ? '; "held by": the link most often ' +
                         'last to hold before it started' : ''),
              offset: 22},
      data: [{name: 'tasks', values: tasks}, {name: 'phases', values: phases}],
      scales: [
        {name: 'x', type: 'linear', domain: [0, horizon / 86400], range: 'width'},
        {name: 'y', type: 'band', domain: {data: 'tasks', field: 'name'}, range: 'height',
         padding: 0.25},
        {name: 'c', type: 'ordinal', domain: {data: 'tasks', field: 'line'},
         range: {scheme: 'tableau10'}}
      ],
      axes: [{orient: 'bottom', scale: 'x', title: 'day of the scenario'},
             {orient: 'left', scale: 'y', grid: false, labelLimit: 320}],
      /* Below the chart, in columns: beside it, the long names ran off the page. */
      legends: [{fill: 'c', title: 'line of effort', labelLimit: 240, orient: 'bottom',
                 direction: 'horizontal', columns: 3}],
      marks: [
        {type: 'rect', from: {data: 'phases'},
         encode: {update: {x: {scale: 'x', field: 'start'}, x2: {scale: 'x', field: 'end'},
                           y: {value: 0}, y2: {signal: 'height'},
                           fill: {value: '#f3f3f3'}, stroke: {value: '#bbb'}}}},
        {type: 'text', from: {data: 'phases'},
         encode: {update: {x: {scale: 'x', field: 'start', offset: 3},
                           y: {signal: 'datum.row ? -15 : -4'},
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
                                             "format(datum.share, '.0%') + ' of samples' + " +
                                             "(datum.critical ? '; ' + datum.critical : '')"}}}},
        {type: 'text', from: {data: 'tasks'}, interactive: false,
         encode: {update: {x: {signal: "datum.start < 0.6 * domain('x')[1] ? " +
                                       "scale('x', datum.start) + 3 : scale('x', datum.start) - 3"},
                           align: {signal: "datum.start < 0.6 * domain('x')[1] ? 'left' : 'right'"},
                           y: {scale: 'y', field: 'name', band: 0.5}, baseline: {value: 'middle'},
                           text: {field: 'critical'},
                           fontSize: {value: 9}, fill: {value: '#8c2d04'}}}}
      ]
    }, 'sync', null, {timeAxis: true});
  }

  /* ---- the crisis event tree (document crisis.tree, mc_docs.c) -----------------
   * Each event under the first event its trigger waits for (the rest of the trigger
   * in words), time-triggered events under the start; a node says its chance (a
   * branch: its share of its parent) and its delay's mean. */
  function treeView() {
    var T = D.docs.tree;
    if (!T || !T.events || !T.events.length) return;
    var ROOT = '(start)'; /* not an empty id: stratify takes '' for no parent */
    var kids = {}, rows = [{id: ROOT, name: 'start', label: ['start'], tip: 'start'}];
    T.events.forEach(function (e) { kids[e.parent || ROOT] = 1; });
    T.events.forEach(function (e) {
      var bits = [(e.branch ? 'share ' : 'p ') + fmt(100 * e.p, e.p < 0.1 ? 1 : 0) + '%'];
      if (e.delay_s) bits.push((e.delay === 'fixed' ? '' : e.delay + ' ') + 'delay ' +
                               fmt(e.delay_s / 86400, e.delay_s < 86400 ? 2 : 1) + ' d');
      if (e.after && e.after !== e.parent) bits.push('after ' + e.after);
      rows.push({id: e.id, parent: e.parent || ROOT, name: e.name,
                 label: [e.name, bits.join(', ')],
                 tip: e.name + ' (' + bits.join(', ') + ')', branch: e.branch});
    });
    var leaves = rows.filter(function (r) { return !kids[r.id]; }).length;
    /* Labels in two lines (the event, then its chance and delay), each cut to the
     * column it sits in, so that a parent's label never runs into its children; the
     * whole label is the tooltip.  Only the last column has room to spare. */
    var parentOf = {}, depth = 0;
    rows.forEach(function (r) { parentOf[r.id] = r.parent; });
    rows.forEach(function (r) {
      var d = 0;
      for (var p = r.parent; p && d <= rows.length; p = parentOf[p]) d++;
      depth = Math.max(depth, d);
    });
    var column = (1000 - 260) / Math.max(1, depth);
    var s = section('tree', 'Crisis event tree');
    s.appendChild(el('p', {'class': 'note'}, 'Each event under the event that triggers it ' +
      '(time-triggered ones under the start); p: its chance once due; share: a branch\'s ' +
      'share of its parent\'s outcomes (dashed links); delay: its mean.'));
    addView(s, {
      width: 1000, height: Math.max(120, leaves * 34, rows.length * 30), padding: 5,
      data: [
        {name: 'tree', values: rows, transform: [
          {type: 'stratify', key: 'id', parentKey: 'parent'},
          {type: 'tree', method: 'tidy', size: [{signal: 'height'}, {signal: 'width - 260'}],
           as: ['y', 'x', 'depth', 'children']}]},
        {name: 'links', source: 'tree', transform: [
          {type: 'treelinks'}, {type: 'linkpath', orient: 'horizontal', shape: 'diagonal'}]}
      ],
      marks: [
        {type: 'path', from: {data: 'links'},
         encode: {update: {path: {field: 'path'}, stroke: {value: '#999'},
                           strokeDash: {signal: 'datum.target.branch ? [4, 3] : [1, 0]'}}}},
        {type: 'symbol', from: {data: 'tree'},
         encode: {update: {x: {field: 'x'}, y: {field: 'y'}, size: {value: 60},
                           fill: {signal: "datum.parent ? '#c0392b' : '#444'"}}}},
        {type: 'text', from: {data: 'tree'},
         encode: {update: {x: {field: 'x', offset: 7}, y: {field: 'y'}, baseline: {value: 'middle'},
                           text: {field: 'label'}, fontSize: {value: 11}, lineHeight: {value: 13},
                           limit: {signal: 'datum.depth < ' + depth + ' ? ' + Math.floor(column - 14) +
                                          ' : 250'},
                           tooltip: {field: 'tip'}}}}
      ]
    }, 'tree', function (view, div) {
      view.runAsync().then(function () {
        div.setAttribute('data-nodes', String(view.data('tree').length));
      });
    });
  }

  /* ---- the objectives' verdicts (document objectives): the report opens with them */
  var VERDICT_CLASS = {met: 'met', 'not met': 'notmet', undecided: 'undecided',
                       'no data': 'undecided'};
  function objectivesSection() {
    var O = D.docs.objectives;
    if (!O || !O.objectives || !O.objectives.length) return;
    var s = el('section', {id: 'objectives'});
    s.appendChild(el('h2', {}, 'Objectives'));
    var brief = document.getElementById('brief');
    brief.parentNode.insertBefore(s, brief);
    var byName = {};
    D.metrics.forEach(function (m) { byName[m.module + '.' + m.name] = m; });
    var counts = {};
    O.objectives.forEach(function (o) { counts[o.verdict] = (counts[o.verdict] || 0) + 1; });
    s.appendChild(el('p', {'class': 'lead'}, (counts.met || 0) + ' met, ' +
      (counts['not met'] || 0) + ' not met, ' + (counts.undecided || 0) +
      ' undecided at this precision, of ' + O.objectives.length + ' (95% confidence, ' +
      O.replications + ' replications).'));
    var t = el('table', {'class': 'objectives'});
    var h = el('tr');
    ['verdict', 'objective', 'estimate', '95% CI', 'n'].forEach(function (c) {
      h.appendChild(el('th', {}, c));
    });
    t.appendChild(h);
    O.objectives.forEach(function (o) {
      var m = byName[o.metric] || {scale: 1, shown: ''};
      /* The threshold in the metric's display unit (a 0/1 metric in %); the estimate
       * too, except a share of replications, which is in %. */
      var mk = m.binary ? 100 : m.scale, mu = m.binary ? '%' : m.shown;
      var share = o.statistic === 'share' || m.binary;
      var k = o.statistic === 'share' ? 100 : mk, unit = o.statistic === 'share' ? '%' : mu;
      var op = o.at_least ? '\u2265 ' : '\u2264 ';
      var thr = fmt(o.threshold * mk, decimals(o.threshold * mk, 0, m.binary));
      var what = (o.name ? o.name + ': ' : '') + o.metric + ' ' + op + withUnit(thr, mu) +
        (o.statistic === 'share' ? ' in at least ' + fmt(o.probability * 100, 0) +
                                   '% of replications'
                                 : o.statistic === 'mean' ? ' on average'
                                                          : ' at its ' + o.statistic);
      var dec = decimals(o.estimate * k, (o.hi - o.lo) * k / 2, share);
      var r = el('tr', {'class': 'verdict-' + VERDICT_CLASS[o.verdict]});
      r.appendChild(el('td', {'class': 'verdict'}, o.verdict));
      r.appendChild(el('td', {}, what));
      r.appendChild(el('td', {'class': 'num'}, withUnit(fmt(o.estimate * k, dec), unit)));
      r.appendChild(el('td', {'class': 'num'}, fmt(o.lo * k, dec) + ' to ' + fmt(o.hi * k, dec)));
      r.appendChild(el('td', {'class': 'num'}, String(o.n)));
      t.appendChild(r);
      /* Where it breaks: what holds in the replications that fail it, against the
       * others (conditional shares, not correlations). */
      if (o.causes && o.causes.length) {
        var c = el("tr", {"class": "causes"}), td = el("td", {colspan: "4"});
        td.appendChild(el('span', {'class': 'note'}, 'Where it fails (' + o.failing +
                                                     ' replications): '));
        var ul = el('ul');
        o.causes.forEach(function (x) {
          ul.appendChild(el('li', {}, (x.description || x.metric).replace(/^1 if /, '') + ' \u2014 ' +
            fmt(x.in_failing * 100, 0) + '% of them' +
            (x.in_others === null ? '' : ', ' + fmt(x.in_others * 100, 0) + '% of the others') +
            ' (' + x.metric + ')'));
        });
        td.appendChild(ul);
        c.appendChild(el('td'));
        c.appendChild(td);
        t.appendChild(c);
      }
    });
    s.appendChild(t);
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
  var VERDICT_ORDER = {worse: 0, better: 1, differs: 2, 'no significant difference': 3};
  function compareSection() {
    var C = D.docs.compare;
    if (!C) return;
    var s = section('compare', 'Courses of action compared', 'straits-outcomes');
    s.appendChild(el('p', {}, 'Baseline: ' + C.coas[0].label + '. Each course of action ran ' +
      C.replications + ' replications with the same random streams as the baseline ' +
      '(common random numbers); a difference is this \u2212 baseline, per replication, ' +
      'with its 95% confidence interval. Better or worse follows which way is good for ' +
      'the metric; "differs" where that depends. Percentages differ in percentage points.'));
    C.coas.slice(1).forEach(function (coa) {
      s.appendChild(el('h3', {}, coa.label + ' vs ' + C.coas[0].label));
      var rows = coa.rows.slice().sort(function (a, b) {
        return VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] ||
               (b.headline ? 1 : 0) - (a.headline ? 1 : 0);
      });
      var real = rows.filter(function (r) { return r.verdict !== 'no significant difference'; });
      var same = rows.filter(function (r) { return r.verdict === 'no significant difference'; });
      var counts = {};
      real.forEach(function (r) { counts[r.verdict] = (counts[r.verdict] || 0) + 1; });
      s.appendChild(el('p', {'class': 'verdicts'}, (counts.better || 0) + ' better, ' +
        (counts.worse || 0) + ' worse, ' + (counts.differs || 0) + ' differ (no good ' +
        'direction), ' + same.length + ' with no significant difference.'));
      if (real.length) s.appendChild(compareTable(real));
      if (same.length) {
        var d = el('details', {'class': 'group'});
        d.appendChild(el('summary', {}, same.length + ' metrics with no significant difference'));
        d.appendChild(compareTable(same));
        s.appendChild(d);
      }
      var chart = real.filter(function (r) { return r.sd_a > 0 && r.half_width !== null; });
      if (!chart.length) return;
      addView(s, {
        width: 560, height: Math.max(100, chart.length * 20), padding: 5,
        title: {text: 'How large each real difference is',
                subtitle: 'paired difference in baseline standard deviations, with its 95% CI'},
        data: [{name: 'd', values: chart.map(function (r) {
          return {metric: r.metric, d: r.diff / r.sd_a, lo: (r.diff - r.half_width) / r.sd_a,
                  hi: (r.diff + r.half_width) / r.sd_a, verdict: r.verdict};
        })}],
        scales: [
          {name: 'y', type: 'band', domain: {data: 'd', field: 'metric'}, range: 'height',
           padding: 0.3},
          {name: 'x', type: 'linear', domain: {data: 'd', fields: ['lo', 'hi']}, range: 'width',
           nice: true, zero: true},
          {name: 'c', type: 'ordinal',
           domain: ['better', 'worse', 'differs', 'no significant difference'],
           range: ['#2ca02c', '#d62728', '#ff7f0e', '#7f7f7f']}
        ],
        axes: [{orient: 'bottom', scale: 'x', title: 'difference (baseline standard deviations)'},
               {orient: 'left', scale: 'y', grid: false, labelLimit: 300}],
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
  function compareTable(rows) {
    var t = el('table', {'class': 'compare'});
    var h = el('tr');
    ['metric', 'baseline', 'this', 'difference', '95% CI of the difference', 'verdict']
      .forEach(function (c) { h.appendChild(el('th', {}, c)); });
    t.appendChild(h);
    rows.forEach(function (r) {
      var tr = el('tr', {'class': 'verdict-' + r.verdict.replace(/ /g, '-')});
      var k = r.scale, u = r.shown, du = u === '%' ? 'pp' : u;
      var dec = decimals(r.mean_a === null ? null : r.mean_a * k,
                         r.half_width === null ? null : r.half_width * k, u === '%');
      var f = function (v) { return v === null ? '-' : fmt(v * k, dec); };
      var sign = function (v) { return v === null ? '-' : (v > 0 ? '+' : '') + f(v); };
      var name = el('td', {}, r.metric);
      if (r.direction) name.appendChild(el('span', {'class': 'dir',
        title: DIR_NAMES[String(r.direction)]}, r.direction > 0 ? ' \u2191' : ' \u2193'));
      tr.appendChild(name);
      [withUnit(f(r.mean_a), u), withUnit(f(r.mean_b), u),
       r.diff === null ? '-' : (u === '%' ? sign(r.diff) + '\u2009pp' : withUnit(sign(r.diff), du)),
       r.half_width === null ? '-' : sign(r.ci95_low) + ' to ' + sign(r.ci95_high), r.verdict]
        .forEach(function (c) { tr.appendChild(el('td', {'class': 'num'}, c)); });
      t.appendChild(tr);
    });
    return t;
  }

  /* ---- sections modules add: {title, text, vega} -------------------------------- */
  /* With the outcomes, by their "order" (then by document name). */
  function moduleSections() {
    var docs = (D.docs.sections || []).map(function (doc, i) { return {doc: doc, i: i}; });
    docs.sort(function (a, b) {
      var oa = typeof a.doc.order === 'number' ? a.doc.order : 0;
      var ob = typeof b.doc.order === 'number' ? b.doc.order : 0;
      return oa - ob || a.i - b.i;
    });
    docs.forEach(function (x) {
      var doc = x.doc, i = x.i;
      var s = section('module-section-' + i, doc.title || 'Section ' + (i + 1),
                      'straits-outcomes');
      if (doc.text) s.appendChild(el('p', {}, doc.text));
      var body = s;
      if (doc.collapsed && doc.vega) { /* a long table: the reader opens it */
        body = el('details', {'class': 'group'});
        body.appendChild(el('summary', {}, typeof doc.collapsed === 'string' ? doc.collapsed
                                                                              : 'Show'));
        s.appendChild(body);
      }
      if (doc.split) splitTables(s, doc.split); /* the numbers, then their picture */
      if (doc.sweep) sweepTable(s, doc.sweep);
      if (doc.timeline) timelineView(body, doc.timeline);
      if (doc.vega) addView(body, doc.vega);
    });
  }

  /* ---- the decision timeline (coordination's docs hook, coord_ops.c) ----------------
   * Swimlanes US / bilateral / Japan by the nation of the deciding body; one row per
   * decision step approved in some replication, ordered by its median within its lane:
   * a mark at the median approval time, a bar from the 5th to the 95th percentile. */
  function timelineView(parent, T) {
    var horizon = T.horizon || 30 * 86400;
    var steps = (T.steps || []).filter(function (x) { return typeof x.p50 === 'number'; });
    if (!steps.length) {
      parent.appendChild(el('p', {}, 'No decision step was approved in any replication.'));
      return;
    }
    steps.sort(function (a, b) {
      return a.lane_rank - b.lane_rank || a.p50 - b.p50 || a.order - b.order;
    });
    var rows = steps.map(function (x, i) {
      return {row: i, label: x.name, lane: x.lane, kind: x.kind, from: x.from, to: x.to,
              p5: x.p5 / 86400, p50: x.p50 / 86400, p95: x.p95 / 86400,
              share: x.approved_share,
              note: 'approved in ' + fmt(100 * x.approved_share, 0) + '%'};
    });
    var lanes = [];
    rows.forEach(function (r) {
      var l = lanes.length && lanes[lanes.length - 1];
      if (l && l.lane === r.lane) l.last = r.label;
      else lanes.push({lane: r.lane, first: r.label, last: r.label, odd: lanes.length % 2});
    });
    addView(parent, {
      width: 640, height: Math.max(80, rows.length * 24), padding: 5,
      data: [{name: 'steps', values: rows}, {name: 'lanes', values: lanes}],
      scales: [
        {name: 'x', type: 'linear', domain: [0, horizon / 86400], range: 'width'},
        {name: 'y', type: 'band', range: 'height', padding: 0.3,
         domain: {data: 'steps', field: 'label', sort: {field: 'row', op: 'min'}}},
        {name: 'c', type: 'ordinal', domain: ['US', 'bilateral', 'Japan'],
         range: ['#4e79a7', '#9c755f', '#e15759']}
      ],
      axes: [{orient: 'bottom', scale: 'x', title: 'day of the scenario (approval time)'},
             {orient: 'left', scale: 'y', grid: false, labelLimit: 260}],
      legends: [{fill: 'c', title: 'deciding body', orient: 'bottom', direction: 'horizontal'}],
      marks: [
        {type: 'rect', from: {data: 'lanes'},
         encode: {update: {x: {value: 0}, x2: {signal: 'width'},
                           y: {scale: 'y', field: 'first', band: -0.15},
                           y2: {scale: 'y', field: 'last', band: 1.15},
                           fill: {scale: 'c', field: 'lane'}, fillOpacity: {value: 0.08}}}},
        {type: 'text', from: {data: 'lanes'},
         encode: {update: {x: {signal: 'width', offset: -4}, align: {value: 'right'},
                           y: {scale: 'y', field: 'first', offset: 2}, baseline: {value: 'top'},
                           text: {field: 'lane'}, fontSize: {value: 10},
                           fill: {scale: 'c', field: 'lane'}}}},
        {type: 'rule', from: {data: 'steps'},
         encode: {update: {x: {scale: 'x', field: 'p5'}, x2: {scale: 'x', field: 'p95'},
                           y: {scale: 'y', field: 'label', band: 0.5},
                           stroke: {scale: 'c', field: 'lane'}, strokeWidth: {value: 3},
                           strokeOpacity: {value: 0.5}}}},
        {type: 'symbol', from: {data: 'steps'},
         encode: {update: {x: {scale: 'x', field: 'p50'},
                           y: {scale: 'y', field: 'label', band: 0.5},
                           shape: {value: 'diamond'}, size: {value: 90},
                           fill: {scale: 'c', field: 'lane'},
                           tooltip: {signal: "datum.label + ' (' + datum.kind + ', ' + " +
                             "datum.from + ' to ' + datum.to + '): median day ' + " +
                             "format(datum.p50, '.2f') + ', 5-95%: ' + format(datum.p5, '.2f') + " +
                             "'-' + format(datum.p95, '.2f') + ', ' + datum.note"}}}},
        {type: 'text', from: {data: 'steps'},
         encode: {update: {x: {scale: 'x', field: 'p95', offset: 5},
                           y: {scale: 'y', field: 'label', band: 0.5}, baseline: {value: 'middle'},
                           text: {field: 'note'}, fontSize: {value: 9}, fill: {value: '#555'}}}}
      ]
    }, 'timeline');
  }

  /* ---- a sweep's every point (rep_sweep.c): one row per point ----------------------- */

  /* Point, overrides, replications, each objective's verdict with its estimate, and
   * each headline metric's mean with its 95% CI, in SI units as stored. */
  function sweepTable(s, S) {
    var points = S.points || [], metrics = [], objectives = [];
    points.forEach(function (p) {
      (p.metrics || []).forEach(function (m) {
        if (metrics.indexOf(m.metric) < 0) metrics.push(m.metric);
      });
      ((p.objectives && p.objectives.objectives) || []).forEach(function (o) {
        if (objectives.indexOf(o.id) < 0) objectives.push(o.id);
      });
    });
    var num = function (v) { return v === null || v === undefined ? '-' : fmt(v, 4); };
    var t = el('table', {'class': 'summary sweep'});
    var h = el('tr');
    ['point', 'overrides', 'replications'].concat(objectives.map(function (o) {
      return 'objective ' + o;
    })).concat(metrics).forEach(function (c) { h.appendChild(el('th', {}, c)); });
    var head = el('thead');
    head.appendChild(h);
    t.appendChild(head);
    var body = el('tbody');
    points.forEach(function (p) {
      var tr = el('tr', {'class': 'sweep-point', 'data-point': String(p.point)});
      tr.appendChild(el('td', {}, String(p.point)));
      tr.appendChild(el('td', {'class': 'metric'}, (p.overrides || '').replace(/\n/g, ', ')));
      tr.appendChild(el('td', {}, String(p.replications)));
      var os = (p.objectives && p.objectives.objectives) || [];
      objectives.forEach(function (id) {
        var o = os.filter(function (x) { return x.id === id; })[0];
        tr.appendChild(el('td', o ? {'class': 'verdict-' + o.verdict.replace(/ /g, '-')} : {},
                          o ? o.verdict + ' (' + num(o.estimate) + ')' : '-'));
      });
      metrics.forEach(function (name) {
        var m = (p.metrics || []).filter(function (x) { return x.metric === name; })[0];
        tr.appendChild(el('td', {}, m ? num(m.mean) + ' [' + num(m.lo) + ', ' + num(m.hi) + ']'
                                      + (m.unit && m.unit !== '1' ? ' ' + m.unit : '') : '-'));
      });
      body.appendChild(tr);
    });
    t.appendChild(body);
    var wrap = el('div', {'class': 'table-scroll'});
    wrap.appendChild(t);
    s.appendChild(wrap);
  }

  /* ---- a section's "split": metrics over two groups of replications -------------- */
  /* {yes, no (the groups' names), n_yes, n_no, rows: [{metric, unit, headline, n_yes,
   * n_no, mean_yes, half_yes, sd_yes, mean_no, half_no, sd_no, diff, half_diff}]} in SI
   * units, shown as the summary shows each metric (its registry entry: unit, percent,
   * direction).  The headline metrics whose difference is real are open, sorted by its
   * size in standard deviations; the others collapsed. */
  var METRIC_BY_ID = null;
  function metricById(id) {
    if (!METRIC_BY_ID) {
      METRIC_BY_ID = {};
      D.metrics.forEach(function (m) { METRIC_BY_ID[m.module + '.' + m.name] = m; });
    }
    return METRIC_BY_ID[id];
  }
  function splitTables(s, S) {
    var rows = (S.rows || []).map(function (r) {
      var m = metricById(r.metric) || {scale: 1, shown: r.unit === '1' ? '' : r.unit || '',
                                       percent: false, direction: 0, description: ''};
      var real = r.half_diff !== null && r.diff !== null && Math.abs(r.diff) > r.half_diff;
      var sd = Math.sqrt(((r.sd_yes || 0) * (r.sd_yes || 0) + (r.sd_no || 0) * (r.sd_no || 0)) / 2);
      var verdict = r.verdict || (!real ? 'no significant difference' : !m.direction ?
                    'differs' : m.direction * r.diff > 0 ? 'better' : 'worse');
      return {r: r, m: m, real: real, verdict: verdict,
              size: sd > 0 && r.diff !== null ? Math.abs(r.diff) / sd : 0};
    });
    rows.sort(function (a, b) { return b.size - a.size; });
    var open = rows.filter(function (x) { return x.r.headline && x.real; });
    var calm = rows.filter(function (x) { return x.r.headline && !x.real; });
    var other = rows.filter(function (x) { return !x.r.headline; });
    var worse = open.filter(function (x) { return x.verdict === 'worse'; }).length;
    var better = open.filter(function (x) { return x.verdict === 'better'; }).length;
    s.appendChild(el('p', {'class': 'verdicts'}, open.length + ' of the ' +
      (open.length + calm.length) + ' headline metrics of the missions differ with spillover' +
      (open.length ? ' (' + worse + ' worse, ' + better + ' better, ' +
                     (open.length - worse - better) + ' without a good direction)' : '') +
      '; largest difference first.'));
    if (open.length) s.appendChild(splitTable(S, open));
    [[calm, ' other headline metrics: no significant difference'],
     [other, ' other metrics whose difference is significant (untested for multiple ' +
             'comparisons)']].forEach(function (g) {
      if (!g[0].length) return;
      var d = el('details', {'class': 'group split'});
      d.appendChild(el('summary', {}, g[0].length + g[1]));
      d.appendChild(splitTable(S, g[0]));
      s.appendChild(d);
    });
  }
  function splitTable(S, rows) {
    var t = el('table', {'class': 'summary split'});
    var h = el('tr');
    ['metric', S.yes + ' (n=' + S.n_yes + ')', S.no + ' (n=' + S.n_no + ')', 'difference',
     '95% CI of the difference', 'verdict with spillover']
      .forEach(function (c) { h.appendChild(el('th', {}, c)); });
    var head = el('thead');
    head.appendChild(h);
    t.appendChild(head);
    var body = el('tbody');
    rows.forEach(function (x) {
      var r = x.r, m = x.m, k = m.scale, u = m.percent ? '%' : m.shown;
      var big = Math.abs(r.mean_no || 0) > Math.abs(r.mean_yes || 0) ? r.mean_no : r.mean_yes;
      var dec = decimals(big === null ? null : big * k,
                         r.half_diff === null ? null : r.half_diff * k, m.percent);
      var f = function (v) { return v === null ? '-' : fmt(v * k, dec); };
      var sign = function (v) { return v === null ? '-' : (v > 0 ? '+' : '') + f(v); };
      var du = m.percent ? '\u2009pp' : u ? '\u2009' + u : '';
      var ci = function (mean, half) {
        return half === null || mean === null ? '' :
               '95% CI ' + withUnit(f(mean - half) + '\u2013' + f(mean + half), u);
      };
      var tr = el('tr', {'class': 'verdict-' + x.verdict.replace(/ /g, '-')});
      var name = el('td', {'class': 'metric'});
      name.appendChild(el('span', {'class': 'id'}, r.metric));
      if (m.direction) name.appendChild(el('span', {'class': 'dir',
        title: DIR_NAMES[String(m.direction)]}, m.direction > 0 ? ' \u2191' : ' \u2193'));
      if (m.description) name.appendChild(el('div', {'class': 'desc'}, m.description));
      tr.appendChild(name);
      [[r.mean_yes, r.half_yes, r.n_yes, S.n_yes], [r.mean_no, r.half_no, r.n_no, S.n_no]]
        .forEach(function (g) {
          var td = el('td', {'class': 'num mean', title: ci(g[0], g[1])},
                      g[2] ? withUnit(f(g[0]), u) : 'never');
          if (g[2] < g[3]) td.appendChild(el('span', {'class': 'n partial'}, ' (n=' + g[2] + ')'));
          tr.appendChild(td);
        });
      tr.appendChild(el('td', {'class': 'num diff'}, r.diff === null ? '-' : sign(r.diff) + du));
      tr.appendChild(el('td', {'class': 'num ci'}, r.half_diff === null || r.diff === null ? '-' :
                        sign(r.diff - r.half_diff) + ' to ' + sign(r.diff + r.half_diff) + du));
      tr.appendChild(el('td', {'class': 'num'}, x.verdict === 'no significant difference' ?
                        'no significant difference' : x.verdict));
      body.appendChild(tr);
    });
    t.appendChild(body);
    return t;
  }

  /* ---- the brief's points: likeliest events, findings, the comparison ---------- */
  function briefPoints() {
    var ul = document.getElementById('brief-points');
    if (!ul) return;
    function point(html, href) {
      var li = el('li');
      li.appendChild(document.createTextNode(html));
      if (href) {
        li.appendChild(document.createTextNode(' '));
        li.appendChild(el('a', {href: href}, '(details)'));
      }
      ul.appendChild(li);
    }
    var events = D.metrics.filter(function (m) {
      return m.binary && m.headline && !m.direction && m.mean > 0 && m.mean < 1;
    }).sort(function (a, b) { return b.mean - a.mean; }).slice(0, 6);
    if (events.length)
      point('Likeliest uncertain events and tasks: ' + events.map(function (m) {
        return m.name.replace(/\.(occurred|ran)$/, '') + ' ' +
               fmt(100 * m.mean, m.mean < 0.1 ? 1 : 0) + '%';
      }).join(', ') + '.', '#probabilities');
    var F = D.docs.findings;
    if (F) {
      var list = Array.isArray(F) ? F : (F.findings || []), by = {};
      list.forEach(function (f) { by[f.severity || 'note'] = (by[f.severity || 'note'] || 0) + 1; });
      point(list.length ? 'The plan check found ' + Object.keys(by).map(function (k) {
        return by[k] + ' ' + k + (by[k] > 1 ? 's' : '');
      }).join(', ') + '.' : 'The plan check found nothing to report.', '#findings');
    }
    var C = D.docs.compare;
    if (C) C.coas.slice(1).forEach(function (coa) {
      var better = coa.rows.filter(function (r) { return r.verdict === 'better'; });
      var worse = coa.rows.filter(function (r) { return r.verdict === 'worse'; });
      var names = function (rs) {
        return rs.slice(0, 4).map(function (r) { return r.metric; }).join(', ') +
               (rs.length > 4 ? ' and ' + (rs.length - 4) + ' more' : '');
      };
      point(coa.label + ' against ' + C.coas[0].label + ': ' +
            (better.length ? 'better on ' + names(better) : 'better on nothing') + '; ' +
            (worse.length ? 'worse on ' + names(worse) : 'worse on nothing') + '.', '#compare');
    });
    if (!ul.children.length) ul.hidden = true;
  }

  /* ---- navigation: one link per section present ------------------------------- */
  function navigation() {
    var nav = document.getElementById('straits-nav');
    if (!nav) return;
    while (nav.firstChild) nav.removeChild(nav.firstChild);
    Array.prototype.forEach.call(document.querySelectorAll('section[id]'), function (s) {
      var h = s.querySelector('h2');
      if (h && !s.hidden) nav.appendChild(el('a', {href: '#' + s.id}, h.textContent));
    });
  }

  /* ---- the summary's filter box (also from the address: report.html#filter=fuel) -- */
  function summaryFilter() {
    var box = document.getElementById('summary-filter');
    if (!box) return;
    var count = document.getElementById('filter-count');
    var rows = document.querySelectorAll('#summary tbody tr');
    var groups = document.querySelectorAll('#summary details.group');
    function apply() {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean), shownRows = 0;
      Array.prototype.forEach.call(rows, function (tr) {
        var text = tr.textContent.toLowerCase();
        var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
        tr.hidden = !ok;
        shownRows += ok;
      });
      Array.prototype.forEach.call(groups, function (g) {
        var any = g.querySelector('tbody tr:not([hidden])') !== null;
        g.hidden = words.length > 0 && !any;
        if (words.length) g.open = any;
      });
      count.textContent = words.length ? shownRows + ' of ' + rows.length + ' metrics' : '';
    }
    box.addEventListener('input', apply);
    var m = /^#filter=([^;]*)/.exec(location.hash);
    if (m) { box.value = decodeURIComponent(m[1]); apply(); }
  }

  function run() {
    var builders = [objectivesSection, mapView, treeView, probabilityView, compareSection, moduleSections, syncView,
                    findingsTable, seriesViews, histogramViews, briefPoints, navigation,
                    summaryFilter];
    builders.forEach(function (b) {
      try { b(); } catch (e) { fail(b.name + ': ' + e); }
    });
    var runs = views.map(function (v) {
      try {
        var view = new vega.View(vega.parse(v.spec), {renderer: 'svg', container: v.el,
                                                      hover: true});
        if (v.onView) v.onView(view, v.el);
        v.el.vegaView = view;
        return view.runAsync();
      } catch (e) { fail(e); return Promise.resolve(); }
    });
    Promise.all(runs).then(function () {
      var empty = views.filter(function (v) {
        var svg = v.el.querySelector('svg');
        return !svg || svg.querySelectorAll('path, rect, line, text').length === 0;
      }).length;
      if (empty) fail(empty + ' view(s) rendered nothing');
      views.forEach(function (v) {
        if (v.timeAxis && v.el.vegaView)
          v.el.setAttribute('data-x-end', String(v.el.vegaView.scale('x').domain()[1]));
      });
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
