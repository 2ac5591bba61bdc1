/* report_land.js - land from the coastline, for the report's maps (report.js): pure
 * geometry, no page state.  Inlined into each report before report.js by rep_html.c. */
'use strict';

/* ---- rings -------------------------------------------------------------------- */
/* d3-geo, inside Vega, wants exterior rings clockwise; RFC 7946 (the store's
 * GeoJSON) has them counterclockwise.  Planar signed area decides. */
function straitsClockwise(ring) {
  var a = 0;
  for (var i = 0, j = ring.length - 1; i < ring.length; j = i++)
    a += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return a > 0 ? ring.slice().reverse() : ring; /* a > 0: counterclockwise */
}

/* ---- land from the coastline ---------------------------------------------- */
/* GSHHG's lines keep land on their left.  Lines cut by the coastline's box (coast.bbox)
 * are joined end to end (bins split them), clipped exactly to the box and closed
 * along it, walking the box anticlockwise from each exit to the next entry; lines
 * closed in themselves are rings.  Returns one Polygon per ring, properties.level
 * its GSHHG level (odd: land, even: water), in level order, rings clockwise as
 * d3-geo wants them.  Box edges are densified: d3-geo draws great circles. */
function straitsLandPolygons(coast) {
  var bb = coast && coast.bbox;
  if (!bb || !coast.features.length || coast.features[0].properties.level === undefined)
    return [];
  var W = bb[0], S = bb[1], E = bb[2], N = bb[3], EPS = 1e-9;
  function inside(p) { return p[0] >= W && p[0] <= E && p[1] >= S && p[1] <= N; }
  function clipT(a, b) { /* Liang-Barsky: the part of a->b inside, as [t0, t1] */
    var t0 = 0, t1 = 1, dx = b[0] - a[0], dy = b[1] - a[1];
    var p = [-dx, dx, -dy, dy], q = [a[0] - W, E - a[0], a[1] - S, N - a[1]];
    for (var i = 0; i < 4; i++) {
      if (p[i] === 0) { if (q[i] < 0) return null; continue; }
      var r = q[i] / p[i];
      if (p[i] < 0) { if (r > t1) return null; if (r > t0) t0 = r; }
      else { if (r < t0) return null; if (r < t1) t1 = r; }
    }
    return t0 <= t1 ? [t0, t1] : null;
  }
  function lerp(a, b, t) { return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]; }
  function onEdge(p) {
    return Math.abs(p[0] - W) < EPS || Math.abs(p[0] - E) < EPS ||
           Math.abs(p[1] - S) < EPS || Math.abs(p[1] - N) < EPS;
  }
  function key(p) { return p[0].toFixed(4) + ',' + p[1].toFixed(4); }
  var rings = [], runs = [];
  coast.features.forEach(function (f) {
    var c = f.geometry.coordinates, L = f.properties.level || 1, cur = null;
    for (var i = 0; i + 1 < c.length; i++) {
      var t = clipT(c[i], c[i + 1]);
      if (!t) { if (cur) runs.push(cur); cur = null; continue; }
      if (!cur) cur = {pts: [t[0] > 0 ? lerp(c[i], c[i + 1], t[0]) : c[i]], level: L};
      cur.pts.push(t[1] < 1 ? lerp(c[i], c[i + 1], t[1]) : c[i + 1]);
      if (t[1] < 1) { runs.push(cur); cur = null; }
    }
    if (cur) runs.push(cur);
  });
  /* join runs end to start */
  var byStart = {};
  runs.forEach(function (r) {
    if (!onEdge(r.pts[0])) (byStart[key(r.pts[0])] = byStart[key(r.pts[0])] || []).push(r);
  });
  function take(p) {
    var list = byStart[key(p)] || [];
    for (var i = 0; i < list.length; i++) if (!list[i].used) return list[i];
    return null;
  }
  var edgeChains = [];
  function chain(r0) {
    var pts = r0.pts.slice(), r = r0;
    r0.used = true;
    for (;;) {
      var end = pts[pts.length - 1];
      if (onEdge(end) && pts.length > 1 && onEdge(pts[0])) { edgeChains.push({pts: pts}); return; }
      if (key(end) === key(pts[0]) && pts.length > 3) { rings.push({pts: pts, level: r0.level}); return; }
      r = take(end);
      if (!r) return; /* dangling: not filled */
      r.used = true;
      pts = pts.concat(r.pts.slice(1));
    }
  }
  runs.forEach(function (r) { if (!r.used && onEdge(r.pts[0])) chain(r); });
  runs.forEach(function (r) { if (!r.used) chain(r); });
  /* close the chains along the box: perimeter position 0..4, anticlockwise from SW */
  function perim(p) {
    if (Math.abs(p[1] - S) < EPS) return (p[0] - W) / (E - W);
    if (Math.abs(p[0] - E) < EPS) return 1 + (p[1] - S) / (N - S);
    if (Math.abs(p[1] - N) < EPS) return 2 + (E - p[0]) / (E - W);
    return 3 + (N - p[1]) / (N - S);
  }
  function at(t) {
    t = ((t % 4) + 4) % 4;
    var k = Math.floor(t), u = t - k;
    return k === 0 ? [W + u * (E - W), S] : k === 1 ? [E, S + u * (N - S)] :
           k === 2 ? [E - u * (E - W), N] : [W, N - u * (N - S)];
  }
  edgeChains.forEach(function (c) {
    c.t0 = perim(c.pts[0]); c.t1 = perim(c.pts[c.pts.length - 1]);
  });
  edgeChains.forEach(function (c0) {
    if (c0.done) return;
    var ring = [], c = c0, guard = 0;
    while (c && guard++ <= edgeChains.length) {
      c.done = true;
      ring = ring.concat(c.pts);
      var next = null, best = Infinity;
      edgeChains.forEach(function (d) {
        if (d.done && d !== c0) return;
        var gap = d.t0 - c.t1;
        if (gap < 0) gap += 4;
        if (gap < best) { best = gap; next = d; }
      });
      if (!next) break;
      for (var t = Math.floor(c.t1 * 100 + 1) / 100; t < c.t1 + best; t += 0.01) ring.push(at(t));
      if (next === c0) {
        ring.push(ring[0]);
        rings.push({pts: ring, level: 1});
        break;
      }
      c = next;
    }
  });
  return rings.sort(function (a, b) { return a.level - b.level; }).map(function (r) {
    return {type: 'Feature', properties: {level: r.level},
            geometry: {type: 'Polygon', coordinates: [straitsClockwise(r.pts)]}};
  });
}
