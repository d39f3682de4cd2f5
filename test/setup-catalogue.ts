/**
 * Each test worker loads the event catalogue's schemas first: the tests import the TypeScript
 * sources, which the synchronous first-use loader (`require` of dist's ES modules) cannot reach.
 */
import { loadCatalogue } from "../src/events/index.js";

await loadCatalogue();
