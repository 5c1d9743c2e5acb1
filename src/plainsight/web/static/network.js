// The network page's graph: personas as nodes, their links (with reasons) as edges.
// Data from the element's data-graph-url; no inline script (the CSP forbids it).
(function () {
  "use strict";
  var box = document.getElementById("network-graph");
  if (!box || typeof cytoscape !== "function") { return; }
  box.style.height = "480px";
  box.style.border = "1px solid #999";
  box.style.position = "relative";
  // Cytoscape adds a <style> element of its own unless one with this id is already there;
  // the CSP (default-src 'self') refuses inline styles, and the style sheet is in app.css.
  if (!document.getElementById("__________cytoscape_stylesheet")) {
    var marker = document.createElement("meta");
    marker.id = "__________cytoscape_stylesheet";
    document.head.appendChild(marker);
  }
  var reason = document.getElementById("network-reason");
  fetch(box.getAttribute("data-graph-url"), { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var cy = cytoscape({
        container: box,
        elements: data.elements,
        layout: { name: "cose", animate: false, nodeRepulsion: function () { return 400000; },
                  idealEdgeLength: function () { return 120; }, padding: 20 },
        style: [
          { selector: "node", style: {
            "label": "data(label)", "background-color": "#1d4f91", "color": "#111",
            "font-size": 8, "text-valign": "bottom", "text-margin-y": 3, "width": 16,
            "height": 16, "min-zoomed-font-size": 6 } },
          { selector: "edge", style: {
            "width": "mapData(weight, 0, 6, 1, 6)", "line-color": "#777",
            "curve-style": "bezier" } },
          { selector: "edge[!within]", style: { "line-style": "dashed", "line-color": "#c60" } },
          { selector: ":selected", style: { "background-color": "#b00", "line-color": "#b00" } }
        ]
      });
      box.setAttribute("data-ready", String(cy.nodes().length));
      cy.on("tap", "edge", function (evt) {
        var d = evt.target.data();
        if (reason) {
          reason.textContent = d.source + " and " + d.target + " (" + d.kind + "): " + d.reason;
        }
      });
      cy.on("tap", "node", function (evt) {
        var href = evt.target.data("href");
        if (href) { window.location.href = href; }
      });
    })
    .catch(function (err) {
      if (reason) { reason.textContent = "The graph could not be loaded (" + err.message + ")."; }
    });
}());
