// package.json's launch configuration attributes are the ones the debug adapter validates, with
// the same JSON types: the editor's IntelliSense for launch.json cannot drift from the adapter.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  LAUNCH_ATTRIBUTES,
  LaunchArgumentError,
  parseLaunchArguments,
} from "../../../src/adapter/launchArguments.ts";

interface LaunchSchema {
  readonly required: string[];
  readonly properties: Record<string, { readonly type: string }>;
}

const manifest = JSON.parse(
  readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
) as { contributes: { debuggers: { configurationAttributes: { launch: LaunchSchema } }[] } };
const launch = manifest.contributes.debuggers[0]?.configurationAttributes.launch;

describe("launch attributes", () => {
  test("package.json declares exactly the attributes the adapter validates", () => {
    assert.deepEqual(
      Object.keys(launch?.properties ?? {}).sort(),
      Object.keys(LAUNCH_ATTRIBUTES).sort(),
    );
  });

  test("with the same JSON types", () => {
    const declared = Object.fromEntries(
      Object.entries(launch?.properties ?? {}).map(([name, p]) => [name, p.type]),
    );
    const validated = Object.fromEntries(
      Object.entries(LAUNCH_ATTRIBUTES).map(([name, a]) => [name, a.type]),
    );
    assert.deepEqual(declared, validated);
    assert.deepEqual(launch?.required, ["program"]);
  });

  test("the adapter rejects a value of another type with the attribute's expectation", () => {
    for (const [name, attribute] of Object.entries(LAUNCH_ATTRIBUTES)) {
      const wrong = attribute.type === "number" ? "10" : 7;
      assert.throws(
        () => parseLaunchArguments({ program: "app.ts", [name]: wrong }),
        (error: unknown) =>
          error instanceof LaunchArgumentError &&
          error.message.startsWith(`launch attribute "${name}" must be ${attribute.expected}`),
        name,
      );
    }
  });
});
