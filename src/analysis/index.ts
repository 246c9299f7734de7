// The analysis engine (DESIGN 5.1-5.4): pure, events in, findings out.
export {
  analyzeTrace,
  reportThreadsOf,
  LiveAnalysis,
  type AnalysisOptions,
  type LiveAnalysisOptions,
} from "./analyze.ts";
export { applyTextEdit, type ReadSource } from "./sourceEdits.ts";
export { relativePath } from "../protocol/paths.ts";
