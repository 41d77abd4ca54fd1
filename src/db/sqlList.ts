/**
 * A constant list as SQL literals, `'a', 'b'`, for statements that must stay one fixed text (the
 * seat map, the report): bound parameters would not let the planner see the values. Only for
 * lists defined in code, never for input.
 */
export const sqlList = (values: readonly string[]): string => values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
