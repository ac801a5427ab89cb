// Validates Kubernetes objects of built-in kinds against the OpenAPI schemas shipped in the npm
// package kubernetes-models (installed by deploy-tests/install-tools.sh into deploy-tests/.node).
// Usage: node validate-k8s.mjs <path to node_modules/kubernetes-models> <objects.json>
// objects.json: a JSON array of objects. Prints one JSON line per object:
//   {"kind", "name", "status": "valid" | "invalid" | "unknown-kind", "error"?}
// Exit 0 when every built-in object is valid, 1 otherwise. Custom kinds (ServiceMonitor, ...) are
// reported as unknown-kind and left to the caller.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [modelsDir, objectsFile] = process.argv.slice(2);
if (!modelsDir || !objectsFile) {
  console.error("usage: node validate-k8s.mjs <kubernetes-models dir> <objects.json>");
  process.exit(2);
}
const objects = JSON.parse(readFileSync(objectsFile, "utf8"));
let failed = 0;
for (const obj of objects) {
  const apiVersion = obj.apiVersion || "";
  const kind = obj.kind || "";
  const name = (obj.metadata && obj.metadata.name) || "";
  // "apps/v1" -> apps/v1/Deployment.js ; "v1" -> v1/Service.js
  const modulePath = join(modelsDir, ...apiVersion.split("/"), kind + ".js");
  if (!apiVersion || !kind || !existsSync(modulePath)) {
    console.log(JSON.stringify({ apiVersion, kind, name, status: "unknown-kind" }));
    continue;
  }
  const mod = await import(pathToFileURL(modulePath).href);
  const Model = mod[kind] || mod.default;
  try {
    new Model(obj).validate();
    console.log(JSON.stringify({ apiVersion, kind, name, status: "valid" }));
  } catch (e) {
    failed++;
    console.log(JSON.stringify({ apiVersion, kind, name, status: "invalid", error: String(e && e.message || e) }));
  }
}
process.exit(failed === 0 ? 0 : 1);
