// is-number ships no types: its one export.
declare module "is-number" {
  function isNumber(value: unknown): boolean;
  export = isNumber;
}
