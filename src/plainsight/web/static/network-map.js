// The network page's movement map: the towns the network's adverts name as circles, and
// each move of a persona from one town to the next as a line with an arrowhead (thicker
// when several moves share it). No tile layer: nothing is fetched from outside.
// Data from the element's data-movement-url; the same moves are in the table below it.
(function () {
  "use strict";
  var box = document.getElementById("network-movement");
  if (!box || typeof L === "undefined") { return; }
  var status = document.getElementById("movement-status");
  var map = L.map(box, { attributionControl: false });
  map.setView([54.0, -2.5], 6);

  function arrow(from, to) {
    // Two short strokes at 80% of the way, in degrees scaled for latitude.
    var k = Math.cos(((from[0] + to[0]) / 2) * Math.PI / 180);
    var dx = (to[1] - from[1]) * k, dy = to[0] - from[0];
    var len = Math.sqrt(dx * dx + dy * dy);
    if (len === 0) { return null; }
    var tip = [from[0] + 0.8 * dy, from[1] + 0.8 * (to[1] - from[1])];
    var size = Math.min(len * 0.15, 0.3), ux = dx / len, uy = dy / len;
    function wing(sign) {
      var c = Math.cos(sign * 0.45), s = Math.sin(sign * 0.45);
      var wx = -(ux * c - uy * s) * size, wy = -(ux * s + uy * c) * size;
      return [tip[0] + wy, tip[1] + wx / k];
    }
    return [wing(1), tip, wing(-1)];
  }

  function offset(from, to) {
    // Shift a route a little to its right, so A to B and B to A are drawn side by side.
    var k = Math.cos(((from[0] + to[0]) / 2) * Math.PI / 180);
    var dx = (to[1] - from[1]) * k, dy = to[0] - from[0];
    var len = Math.sqrt(dx * dx + dy * dy);
    if (len === 0) { return [from, to]; }
    var shift = 0.04 * len, ox = (dy / len) * shift, oy = (-dx / len) * shift;
    return [[from[0] + oy, from[1] + ox / k], [to[0] + oy, to[1] + ox / k]];
  }

  fetch(box.getAttribute("data-movement-url"), { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var bounds = L.latLngBounds([]);
      var most = 1;
      data.towns.forEach(function (t) { most = Math.max(most, t.adverts); });
      data.towns.forEach(function (t) {
        var circle = L.circleMarker([t.lat, t.lon], {
          radius: 5 + 12 * Math.sqrt(t.adverts / most), color: "#1f4e78", weight: 1,
          fillOpacity: 0.5
        }).addTo(map);
        var label = document.createElement("span");
        label.textContent = t.name + " (" + t.adverts + " advert(s))";
        circle.bindTooltip(label, { permanent: true, direction: "right", className: "town-label" });
        bounds.extend([t.lat, t.lon]);
      });
      var pairs = {};
      data.moves.forEach(function (m) {
        var key = m.from + "\u2192" + m.to;
        var pair = pairs[key] || (pairs[key] = { m: m, n: 0, personas: {} });
        pair.n += 1;
        pair.personas[m.persona_id] = true;
      });
      var lines = 0;
      Object.keys(pairs).forEach(function (key) {
        var p = pairs[key];
        var ends = offset([p.m.from_lat, p.m.from_lon], [p.m.to_lat, p.m.to_lon]);
        var from = ends[0], to = ends[1];
        var line = L.polyline([from, to], {
          color: "#a40e26", weight: Math.min(1 + p.n, 8), opacity: 0.7
        }).addTo(map);
        var text = document.createElement("span");
        text.textContent = key + ": " + p.n + " move(s) by " +
          Object.keys(p.personas).length + " persona(s)";
        line.bindTooltip(text, { sticky: true });
        var head = arrow(from, to);
        if (head) {
          L.polyline(head, { color: "#a40e26", weight: Math.min(1 + p.n, 8), opacity: 0.9 })
            .addTo(map);
        }
        lines += 1;
      });
      map.invalidateSize();
      if (data.towns.length === 1) {
        map.setView(bounds.getCenter(), 9);
      } else if (data.towns.length > 1) {
        map.fitBounds(bounds, { padding: [40, 40] });
      }
      box.setAttribute("data-ready", String(data.towns.length));
      box.setAttribute("data-lines", String(lines));
      if (status) {
        status.textContent = data.towns.length + " town(s), " + data.moves.length +
          " move(s) between them" + (lines ? " on " + lines + " route(s)." : ".");
      }
    })
    .catch(function (err) {
      if (status) {
        status.textContent = "The movement map could not be loaded (" + err.message + ").";
      }
    });
}());
