/**
 * A form that checks its values with the protocol's own schema before it saves them: the fields the schema
 * refused (the first of them focused), busy while it saves, and why saving failed, in the page's language.
 */
import { SvelteSet } from 'svelte/reactivity';
import { invalidFields, type SchemaIssues } from '#lib/client/forms.ts';
import type { I18n } from '#lib/i18n/context.svelte.ts';
import { Jobs, type DescribeFailure } from './jobs.svelte.ts';
import { apiErrorText } from './messages.ts';

/** What the form needs of a zod schema. */
export interface FormSchema<T> {
  safeParse(values: unknown): { success: true; data: T } | { success: false; error: SchemaIssues };
}

export class SchemaForm extends Jobs {
  readonly #invalid = new SvelteSet<string>();
  readonly #id: string;

  /** `id`: the form's `$props.id()`, each field's element being `${id}-${field}`. */
  constructor(id: string, i18n: I18n, describe: DescribeFailure = apiErrorText) {
    super(i18n, describe);
    this.#id = id;
  }

  /** The fields the schema refused at the last submit (top-level names). */
  get invalid(): ReadonlySet<string> {
    return this.#invalid;
  }

  /**
   * Parses `values`: refused, marks the fields and focuses the first refused one in `order`; else saves the
   * parsed data as this form's one job. True once saved.
   */
  async submit<T>(
    schema: FormSchema<T>,
    values: unknown,
    order: readonly string[],
    save: (data: T) => Promise<void>,
  ): Promise<boolean> {
    this.error = null;
    const parsed = schema.safeParse(values);
    this.#invalid.clear();
    if (!parsed.success) {
      for (const field of invalidFields(parsed.error)) this.#invalid.add(field);
      const first = order.find((field) => this.#invalid.has(field));
      if (first) document.getElementById(`${this.#id}-${first}`)?.focus();
      return false;
    }
    return this.run('save', 'error.generic', () => save(parsed.data));
  }
}
