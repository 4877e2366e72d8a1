#!/usr/bin/env python3
"""Writes the steps and sidecars of a Tekton Task as shell scripts that run outside a cluster.

Usage: tekton_step.py TASK.yaml OUT_DIR [name=value ...] [--env KEY=VALUE ...]

For each step and sidecar with a script, OUT_DIR/<name>.sh is the script with the container's
environment (the stepTemplate's, then its own) exported first, and OUT_DIR/<name>.workdir its
working directory. name=value sets a param or any other Tekton variable, such as
workspaces.source.path or results.IMAGE_URL.path; params left unset take their defaults, and an
unset variable is an error. --env KEY=VALUE replaces an environment value that only makes
sense in a pod (ports, HOME, mount paths). The image check runs the scripts this way, so the
Task's own scripts are what it tests.
"""
import re
import shlex
import sys

import yaml

# Tekton replaces only its own variables; any other $(...) is the shell's command substitution.
VARIABLE = re.compile(r"\$\(((?:params|workspaces|results|context|steps|tasks)\.[a-zA-Z0-9_.-]+)\)")


def main():
    task_file, out_dir, *rest = sys.argv[1:]
    task = yaml.safe_load(open(task_file))
    assert task["kind"] == "Task", task["kind"]
    spec = task["spec"]
    values = {f"params.{p['name']}": p["default"] for p in spec.get("params", []) if "default" in p}
    overrides = {}
    while rest:
        item = rest.pop(0)
        if item == "--env":
            key, value = rest.pop(0).split("=", 1)
            overrides[key] = value
        else:
            name, value = item.split("=", 1)
            values[name if "." in name else f"params.{name}"] = value

    def substitute(text):
        def one(match):
            if match.group(1) not in values:
                raise SystemExit(f"{task_file}: $({match.group(1)}) has no value; pass {match.group(1)}=...")
            return values[match.group(1)]
        return VARIABLE.sub(one, str(text))

    template_env = spec.get("stepTemplate", {}).get("env", [])
    containers = [(c, template_env) for c in spec.get("steps", [])] + [(c, []) for c in spec.get("sidecars", [])]
    for container, inherited in containers:
        if "script" not in container:
            continue
        env = {e["name"]: substitute(e["value"]) for e in inherited + container.get("env", [])}
        env.update(overrides)
        script = substitute(container["script"]).splitlines()
        shebang = script.pop(0) if script and script[0].startswith("#!") else "#!/bin/sh"
        exports = [f"export {key}={shlex.quote(value)}" for key, value in env.items()]
        with open(f"{out_dir}/{container['name']}.sh", "w") as out:
            out.write("\n".join([shebang, *exports, *script]) + "\n")
        with open(f"{out_dir}/{container['name']}.workdir", "w") as out:
            out.write(substitute(container.get("workingDir", "")) + "\n")


if __name__ == "__main__":
    main()
