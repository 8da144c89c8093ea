import isNumber = require("is-number");

export function describe(value: string): string {
  return `${value} is ${isNumber(value) ? "" : "not "}a number (built by tsc)`;
}
