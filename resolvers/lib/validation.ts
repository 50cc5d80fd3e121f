import { util } from '@aws-appsync/utils';

/** Length limits of the article's text fields, in characters (UTF-16 code units). */
export const TEXT_LIMITS = {
  title: 200,
  summary: 500,
  // Keeps an item well under DynamoDB's 400 KB item limit even with 3-byte characters.
  body: 100000,
  reviewNotes: 10000,
} as const;

export type TextField = keyof typeof TEXT_LIMITS;

/** Fields that may not be blank or null once given (the schema types them `String!` on Article). */
const REQUIRED_TEXT: readonly TextField[] = ['title', 'summary'];

/**
 * Checks one text input field. `value` undefined means "not given" (allowed for updates);
 * null clears an optional field and is refused for required ones.
 * Errors are `ValidationError`s whose message and `errorInfo.field` name the input field.
 */
function validateTextField(field: TextField, value: string | null | undefined): void {
  if (value === undefined) {
    return;
  }
  const path = `input.${field}`;
  const required = REQUIRED_TEXT.includes(field);
  if (value === null) {
    if (required) {
      util.error(`${path} must not be null`, 'ValidationError', null, { field: path });
    }
    return;
  }
  const max = TEXT_LIMITS[field];
  const min = required ? 1 : 0;
  if (value.trim().length < min || value.length > max) {
    util.error(
      `${path} must be ${min} to ${max} characters (not blank), got ${value.length}`,
      'ValidationError',
      null,
      { field: path, min, max, length: value.length },
    );
  }
}

/** The text fields of Create/UpdateArticleInput. */
export interface ArticleTextInput {
  title?: string | null;
  summary?: string | null;
  body?: string | null;
  reviewNotes?: string | null;
}

/** The text fields in the order they are checked (and written). */
export const TEXT_FIELDS = Object.keys(TEXT_LIMITS) as readonly TextField[];

/** Checks every text field of an article input; the first bad one fails the request. */
export function validateArticleInput(input: ArticleTextInput): void {
  for (const field of TEXT_FIELDS) {
    validateTextField(field, input[field]);
  }
}
