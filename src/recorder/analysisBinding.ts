// The recorder's analysis: the pure LiveAnalysis of src/analysis, with the program's sources.
import { LiveAnalysis } from "../analysis/index.ts";
import type { AnalysisFactory } from "./session.ts";

export const createOnlineAnalysis: AnalysisFactory = (cwd, readSource) =>
  new LiveAnalysis({ cwd, readSource });
