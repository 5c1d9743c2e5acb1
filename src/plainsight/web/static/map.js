// The map page: the City of London boundary and the places adverts mention, as circles.
// No tile layer: nothing is fetched from outside. Data from the element's data-map-url.
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || typeof L === "undefined") { return; }
  box.style.height = "560px";
  box.style.border = "1px solid #999";
  box.style.background = "#f4f4f0";
  box.style.position = "relative";
  var status = document.getElementById("map-status");
  var map = L.map(box, { attributionControl: false });
  map.setView([51.515, -0.092], 14);
  fetch(box.getAttribute("data-map-url"), { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var city = L.geoJSON(data.boundary, {
        style: { color: "#1d4f91", weight: 2, fillOpacity: 0.05 }
      }).addTo(map);
      var bounds = city.getBounds();
      var centre = bounds.getCenter();
      var near = L.latLngBounds(bounds.getSouthWest(), bounds.getNorthEast());
      var outside = 0;
      data.places.forEach(function (p) {
        var circle = L.circleMarker([p.lat, p.lon], {
          radius: Math.min(5 + 3 * Math.sqrt(p.adverts), 30),
          color: p.in_city ? "#b00" : "#c60", weight: 1, fillOpacity: 0.5
        }).addTo(map);
        var label = document.createElement("span");
        label.textContent = p.name + " (" + p.kind + "): " + p.adverts + " advert(s)";
        circle.bindTooltip(label);
        if (centre.distanceTo([p.lat, p.lon]) <= 15000) { near.extend([p.lat, p.lon]); } else {
          outside += 1;
        }
      });
      // Open on the City and London places; places further away are there on zooming out.
      map.fitBounds(near, { padding: [20, 20] });
      box.setAttribute("data-ready", String(data.places.length));
      if (status) {
        status.textContent = data.places.length + " place(s) with coordinates; " + outside +
          " more than 15 km from the City (zoom out to see them).";
      }
    })
    .catch(function (err) {
      if (status) { status.textContent = "The map data could not be loaded (" + err.message + ")."; }
    });
}());
