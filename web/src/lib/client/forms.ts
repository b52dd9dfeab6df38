/**
 * Form checks with the server's own zod schemas: which fields a failed
 * safeParse names, so each form shows its own words next to those fields.
 */
export interface SchemaIssues {
  issues: readonly { path: readonly PropertyKey[] }[];
}

/** The top-level field names of the issues (`invite.classroomIds` counts as `invite`). */
export function invalidFields(error: SchemaIssues): Set<string> {
  const fields = new Set<string>();
  for (const issue of error.issues) {
    const first = issue.path[0];
    if (typeof first === 'string') fields.add(first);
  }
  return fields;
}
