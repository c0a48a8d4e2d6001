// Read a GraphML or GEXF file with graphology (the library Gephi Lite is built on) and print
// it as JSON: {order, size, type, attributes, nodes: [{key, attributes}], edges: [{source,
// target, undirected, attributes}]}.
//
// Usage: node read.mjs FILE [--strict]
// The format follows the suffix (.graphml or .gexf). By default the parsers get Gephi Lite's
// options (addMissingNodes, and allowUndeclaredAttributes for GEXF); --strict uses the
// parsers' defaults, which refuse edges to missing nodes and undeclared attributes.
import { readFileSync } from "node:fs";
import Graph from "graphology";
import gexf from "graphology-gexf";
import graphml from "graphology-graphml";

const args = process.argv.slice(2);
const strict = args.includes("--strict");
const file = args.find((a) => !a.startsWith("--"));
if (!file) {
  console.error("usage: node read.mjs FILE [--strict]");
  process.exit(2);
}
const text = readFileSync(file, "utf8");
let graph;
if (file.toLowerCase().endsWith(".gexf")) {
  graph = gexf.parse(Graph, text, strict ? {} : { allowUndeclaredAttributes: true, addMissingNodes: true });
} else if (file.toLowerCase().endsWith(".graphml")) {
  graph = graphml.parse(Graph, text, strict ? {} : { addMissingNodes: true });
} else {
  console.error(`${file}: not a .gexf or .graphml file`);
  process.exit(2);
}
const out = {
  order: graph.order,
  size: graph.size,
  type: graph.type,
  attributes: graph.getAttributes(),
  nodes: graph.mapNodes((key, attributes) => ({ key, attributes })),
  edges: graph.mapEdges((key, attributes, source, target, _s, _t, undirected) => ({
    source, target, undirected, attributes,
  })),
};
process.stdout.write(JSON.stringify(out));
