// The network page's graph: personas as nodes, their links (with reasons) as edges, and,
// behind the "show generic identifiers" checkbox, the generic identifiers the adverts carry
// (grey diamonds, dotted lines: not used for linking). Data from data-graph-url; no inline
// script (the CSP forbids it). window.plainsightNetwork exposes the Cytoscape instance.
(function () {
  "use strict";
  var box = document.getElementById("network-graph");
  if (!box || typeof cytoscape !== "function") { return; }
  // Cytoscape adds a <style> element of its own unless one with this id is already there;
  // the CSP (default-src 'self') refuses inline styles.
  if (!document.getElementById("__________cytoscape_stylesheet")) {
    var marker = document.createElement("meta");
    marker.id = "__________cytoscape_stylesheet";
    document.head.appendChild(marker);
  }
  var reason = document.getElementById("network-reason");
  var toggle = document.getElementById("show-generic");

  function placeGeneric(cy) {
    // Each generic node beside the personas carrying it, fanned out so they do not overlap.
    cy.nodes(".generic").forEach(function (node, i) {
      var around = node.neighborhood("node");
      var x = 0, y = 0;
      around.forEach(function (p) { x += p.position("x"); y += p.position("y"); });
      var n = Math.max(around.length, 1);
      var angle = i * 2.399963;  // the golden angle
      node.position({ x: x / n + 70 * Math.cos(angle), y: y / n + 70 * Math.sin(angle) });
    });
  }

  function showGeneric(cy, shown) {
    cy.batch(function () {
      cy.elements(".generic").style("display", shown ? "element" : "none");
    });
    var visible = shown ? cy.nodes(".generic").length : 0;
    box.setAttribute("data-generic-shown", String(visible));
    cy.fit(cy.elements(":visible"), 20);
  }

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
          { selector: "node.generic", style: {
            "shape": "diamond", "background-color": "#bbb", "border-width": 1,
            "border-color": "#666", "border-style": "dashed", "color": "#555",
            "font-style": "italic", "font-size": 7, "width": 12, "height": 12 } },
          { selector: "edge.generic", style: {
            "width": 1, "line-style": "dotted", "line-color": "#aaa" } },
          { selector: ".generic", style: { "display": "none" } },
          { selector: ":selected", style: { "background-color": "#b00", "line-color": "#b00" } }
        ]
      });
      var personas = cy.nodes().length;
      cy.add(data.generic || []);
      cy.elements(".generic").style("display", "none");
      placeGeneric(cy);
      box.setAttribute("data-generic", String(cy.nodes(".generic").length));
      box.setAttribute("data-generic-shown", "0");
      box.setAttribute("data-ready", String(personas));
      window.plainsightNetwork = { cy: cy };
      if (toggle) {
        toggle.checked = false;
        toggle.addEventListener("change", function () { showGeneric(cy, toggle.checked); });
      }
      cy.on("tap", "edge", function (evt) {
        var d = evt.target.data();
        if (reason) {
          reason.textContent = d.source + " and " + d.target + " (" + d.kind + "): " + d.reason;
        }
      });
      cy.on("tap", "node", function (evt) {
        var d = evt.target.data();
        if (d.generic) {
          if (reason) { reason.textContent = d.title + ": " + d.reason; }
          return;
        }
        if (d.href) { window.location.href = d.href; }
      });
    })
    .catch(function (err) {
      if (reason) { reason.textContent = "The graph could not be loaded (" + err.message + ")."; }
    });
}());
