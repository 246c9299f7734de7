const workerpool = require("workerpool");

function fibonacci(n) {
  return n < 2 ? n : fibonacci(n - 2) + fibonacci(n - 1);
}

function fail(message) {
  throw new Error(message);
}

workerpool.worker({ fibonacci, fail });
