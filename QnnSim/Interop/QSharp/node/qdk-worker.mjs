// QnnSim's bridge to Microsoft's QDK (npm package qsharp-lang): a long-lived JSON-lines worker.
//
//   node qdk-worker.mjs --qsharp-lang DIR            serve requests: one JSON object per line on stdin,
//                                                     one JSON answer per line on stdout (same "id")
//   node qdk-worker.mjs --qsharp-lang DIR --check-dir IN --out OUT
//                                                     build-time check: compile every IN/*.qs; files with an
//                                                     entry point give OUT/<name>.ll (base-profile QIR)
//
// DIR is the qsharp-lang package folder (…/node_modules/qsharp-lang); default: resolved next to this script.
//
// Requests:
//   {"id":1,"cmd":"version"}
//   {"id":2,"cmd":"qir","sources":[["a.qs","…"]],"profile":"base","language":"qsharp"|"openqasm"}
//   {"id":3,"cmd":"run","sources":[["a.qs","…"]],"expr":"A.Main()","shots":1,"language":"qsharp"|"openqasm"}
//   {"id":4,"cmd":"circuit","sources":[["a.qs","…"]]}
//   {"id":5,"cmd":"noisy-run","sources":[["a.qs","…"]],"expr":"","shots":10000,"noise":[px,py,pz],"qubitLoss":0}
//     the QDK's noisy simulator (compiler.runWithNoise): answers {"counts":{"[Zero, One]":n,…},"failures":n,
//     "firstFailure":"…"|null} with each shot's result keyed by its display text
// Answers: {"id":…,"ok":true,…} or {"id":…,"ok":false,"error":"…","diagnostics":[{document,line,column,message,code}]}
// Lines and columns in diagnostics are 1-based.
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, join, resolve, basename } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : undefined;
}

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(argValue("--qsharp-lang") ?? join(here, "node_modules", "qsharp-lang"));
const qsharp = await import(pathToFileURL(join(packageDir, "dist", "node.js")).href);
await qsharp.loadWasmModule(readFileSync(join(packageDir, "lib", "web", "qsc_wasm_bg.wasm")));
const compiler = await qsharp.getCompiler();
const version = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")).version;

function program(req, defaultProfile) {
  return {
    sources: req.sources,
    languageFeatures: req.languageFeatures ?? [],
    profile: req.profile ?? defaultProfile,
    projectType: req.language ?? "qsharp",
  };
}

// Turns whatever the QDK threw (QdkDiagnostics, a string, an Error) into a message and 1-based diagnostics.
function describeError(e) {
  const diagnostics = [];
  const list = e?.diagnostics ?? e?.errors ?? (e?.value?.errors) ?? [];
  for (const d of Array.isArray(list) ? list : []) {
    const diag = d.diagnostic ?? d;
    const start = diag?.range?.start ?? { line: 0, character: 0 };
    diagnostics.push({
      document: d.document ?? "",
      line: start.line + 1,
      column: start.character + 1,
      message: diag?.message ?? String(diag),
      code: diag?.code ?? "",
    });
  }
  let message = diagnostics.length > 0 ? diagnostics[0].message : (e?.message ?? (typeof e === "string" ? e : JSON.stringify(e)));
  return { error: message, diagnostics };
}

async function runProgram(req) {
  const events = [];
  let outcome = null;
  const target = {
    addEventListener() {},
    removeEventListener() {},
    dispatchEvent(ev) {
      if (ev.type === "DumpMachine") events.push({ type: "DumpMachine", qubitCount: ev.detail.qubitCount, state: ev.detail.state });
      else if (ev.type === "Message") events.push({ type: "Message", message: ev.detail });
      else if (ev.type === "Result") outcome = ev.detail;
      return true;
    },
  };
  try {
    await compiler.run(program(req, "unrestricted"), req.expr ?? "", req.shots ?? 1, target);
  } catch (e) {
    // A compile error arrives as a failed Result event first; the promise then rejects with an empty object.
    if (!(outcome && outcome.success === false)) throw e;
  }
  if (outcome && outcome.success === false) {
    const d = describeError(outcome.value);
    return { ok: false, error: d.error, diagnostics: d.diagnostics, events };
  }
  return { ok: true, result: outcome ? outcome.value : null, events };
}

// The QDK's Pauli-noise run: every shot's result tallied by its display text ("[Zero, One]", "(One, 3)", …). A shot
// that fails at run time (a `fail`, a qubit released in a bad state) is counted in "failures"; a compile error, or
// every shot failing, is an error answer.
function checkProbability(name, v) {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) throw new Error(`${name} = ${v} is not a probability (allowed: a finite number in [0, 1])`);
  return v;
}

async function runWithNoise(req) {
  const shots = req.shots ?? 1;
  if (!Number.isInteger(shots) || shots < 1 || shots > 10000000) return { ok: false, error: `shots = ${shots} is out of range (allowed: an integer 1..10000000)`, diagnostics: [] };
  const noise = req.noise ?? [0, 0, 0];
  let px, py, pz, loss;
  try {
    if (!Array.isArray(noise) || noise.length !== 3) throw new Error(`noise must be [px, py, pz]; got ${JSON.stringify(noise)}`);
    [px, py, pz] = noise.map((v, i) => checkProbability(["px", "py", "pz"][i], v));
    if (px + py + pz > 1) throw new Error(`px + py + pz = ${px + py + pz} exceeds 1`);
    loss = checkProbability("qubitLoss", req.qubitLoss ?? 0);
  } catch (e) {
    return { ok: false, error: e.message, diagnostics: [] };
  }
  const counts = {};
  let failures = 0;
  let firstFailure = null;
  let failedValue = null;
  const target = {
    addEventListener() {},
    removeEventListener() {},
    dispatchEvent(ev) {
      if (ev.type !== "Result") return true;
      if (ev.detail.success) {
        const key = typeof ev.detail.value === "string" ? ev.detail.value : JSON.stringify(ev.detail.value);
        counts[key] = (counts[key] ?? 0) + 1;
      } else {
        failures++;
        if (firstFailure === null) { failedValue = ev.detail.value; firstFailure = describeError(ev.detail.value).error; }
      }
      return true;
    },
  };
  try {
    await compiler.runWithNoise(program(req, "unrestricted"), req.expr ?? "", shots, [px, py, pz], loss, target);
  } catch (e) {
    // A compile error arrives as a failed Result event first; the promise then rejects.
    if (failures === 0) throw e;
  }
  if (failures > 0 && Object.keys(counts).length === 0) {
    const d = describeError(failedValue);
    return { ok: false, error: d.error, diagnostics: d.diagnostics };
  }
  return { ok: true, shots, counts, failures, firstFailure };
}

async function handle(req) {
  switch (req.cmd) {
    case "version":
      return { ok: true, version, node: process.version };
    case "qir":
      return { ok: true, qir: await compiler.getQir(program(req, "base")) };
    case "run":
      return await runProgram(req);
    case "noisy-run":
      return await runWithNoise(req);
    case "circuit": {
      const config = { generationMethod: "classicalEval", maxOperations: req.maxOperations ?? 100000, sourceLocations: false, groupByScope: false };
      return { ok: true, circuit: await compiler.getCircuit(program(req, "unrestricted"), config, req.operation) };
    }
    default:
      return { ok: false, error: `unknown command '${req.cmd}' (allowed: version, qir, run, noisy-run, circuit)`, diagnostics: [] };
  }
}

async function checkDirectory(inDir, outDir) {
  mkdirSync(outDir, { recursive: true });
  let failures = 0;
  for (const name of readdirSync(inDir).filter((f) => f.endsWith(".qs")).sort()) {
    const path = join(inDir, name);
    const source = readFileSync(path, "utf8");
    const sources = [[name, source]];
    try {
      const qir = await compiler.getQir({ sources, languageFeatures: [], profile: "base" });
      writeFileSync(join(outDir, basename(name, ".qs") + ".ll"), qir);
      console.log(`qdk: ${path} -> ${join(outDir, basename(name, ".qs") + ".ll")}`);
    } catch (e) {
      const d = describeError(e);
      const noEntry = d.diagnostics.length > 0 && d.diagnostics.every((x) => /EntryPoint|entry point/i.test(x.code + " " + x.message));
      if (noEntry) {
        // A library of operations (a trainable ansatz): type-check it only.
        try {
          await compiler.getHir({ sources, languageFeatures: [] });
          console.log(`qdk: ${path}: checked (no entry point, no QIR)`);
          continue;
        } catch (e2) {
          Object.assign(d, describeError(e2));
        }
      }
      failures++;
      for (const x of d.diagnostics.length > 0 ? d.diagnostics : [{ document: name, line: 1, column: 1, message: d.error }])
        console.error(`${x.document === name ? path : x.document}(${x.line},${x.column}): error ${x.code || "QDK"}: ${x.message}`);
    }
  }
  return failures;
}

const checkDir = argValue("--check-dir");
if (checkDir !== undefined) {
  const failures = await checkDirectory(resolve(checkDir), resolve(argValue("--out") ?? "."));
  process.exit(failures === 0 ? 0 : 1);
}

// Serve: requests are handled one at a time, in order (the compiler is single-threaded WebAssembly).
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
let queue = Promise.resolve();
lines.on("line", (line) => {
  if (line.trim() === "") return;
  queue = queue.then(async () => {
    let req;
    try {
      req = JSON.parse(line);
    } catch (e) {
      process.stdout.write(JSON.stringify({ id: null, ok: false, error: `malformed request: ${e.message}`, diagnostics: [] }) + "\n");
      return;
    }
    let answer;
    try {
      answer = await handle(req);
    } catch (e) {
      answer = { ok: false, ...describeError(e) };
    }
    process.stdout.write(JSON.stringify({ id: req.id, ...answer }) + "\n");
  });
});
lines.on("close", () => queue.then(() => process.exit(0)));
process.stdout.write(JSON.stringify({ id: 0, ok: true, ready: true, version }) + "\n");
