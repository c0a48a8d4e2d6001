// Draws a GEXF file the way Gephi Lite does (graphology + sigma.js): the file's own
// positions, sizes and colours, labels for the largest nodes, edges by weight.
// Bundled into one page by gexf_screenshot.py (esbuild), which puts the GEXF text in
// window.GEXF.
import Graph from "graphology";
import { parse } from "graphology-gexf/browser";
import Sigma from "sigma";

const text = window.GEXF;
const graph = parse(Graph, text);
const maxWeight = Math.max(...graph.mapEdges((e, a) => a.weight || 1));
graph.forEachEdge((e, a) => {
  const w = (a.weight || 1) / maxWeight;
  graph.setEdgeAttribute(e, "size", 0.5 + 2.5 * Math.sqrt(w));
  const grey = Math.round(225 - 150 * Math.sqrt(w)).toString(16).padStart(2, "0");
  graph.setEdgeAttribute(e, "color", `#${grey}${grey}${grey}`);
});
const sizes = graph.mapNodes((n, a) => a.size || 1).sort((a, b) => b - a);
const labelled = sizes[Math.min(24, sizes.length - 1)];
graph.forEachNode((n, a) => {
  const size = a.size || 1;
  graph.mergeNodeAttributes(n, { size: 2 + size / 3, forceLabel: size >= labelled });
});
new Sigma(graph, document.getElementById("sigma"), {
  labelRenderedSizeThreshold: 100, labelSize: 14, labelWeight: "bold",
  stagePadding: 40,
});
document.title = `ready ${graph.order} nodes ${graph.size} edges`;
