import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

// Anything the strict CSP blocks is a bug: keep a list the e2e tests read.
const violations: string[] = [];
(window as unknown as { __cspViolations: string[] }).__cspViolations = violations;
document.addEventListener("securitypolicyviolation", (e) => {
  violations.push(`${e.violatedDirective}: ${e.blockedURI || "inline"}`);
  console.warn("CSP blocked", e.violatedDirective, e.blockedURI);
});

const target = document.getElementById("app");
if (!target) throw new Error("missing #app");
export default mount(App, { target });
