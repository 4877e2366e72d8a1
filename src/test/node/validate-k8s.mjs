// Validates every Kubernetes object in the given YAML files against the OpenAPI schema of its
// kind, using the kubernetes-models packages (core and apps, networking, RBAC..., Knative, the
// Prometheus Operator's PodMonitor and PrometheusRule, and cert-manager's ClusterIssuer).
// An object whose kind has no model is an error, never a silent pass.
// Usage: node validate-k8s.mjs FILE...   Exit status 1 when any object is invalid.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const MODEL_PACKAGES = ["kubernetes-models", "@kubernetes-models/knative", "@kubernetes-models/prometheus-operator",
  "@kubernetes-models/cert-manager"];

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const path = group === "" ? `${version}/${kind}` : `${group}/${version}/${kind}`;
  for (const pkg of MODEL_PACKAGES) {
    try {
      const module = await import(`${pkg}/${path}`);
      return module[kind];
    } catch {
      // not in this package; try the next
    }
  }
  return undefined;
}

let objects = 0;
let failures = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length > 0) {
      failures++;
      console.log(`INVALID ${file}: YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const object = doc.toJSON();
    if (object === null) {
      continue;
    }
    objects++;
    const id = `${file}: ${object.apiVersion}/${object.kind} ${object.metadata?.name}`;
    const Model = await modelFor(object.apiVersion ?? "", object.kind ?? "");
    if (Model === undefined) {
      failures++;
      console.log(`INVALID ${id}: no schema model for this apiVersion and kind`);
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`valid ${id}`);
    } catch (e) {
      failures++;
      console.log(`INVALID ${id}: ${e.message}`);
    }
  }
}
console.log(`${objects} objects, ${failures} invalid`);
process.exit(failures === 0 && objects > 0 ? 0 : 1);
