/**
 * `escapeHtml`: text made safe to put in HTML, in an element or a quoted attribute. Private to
 * protocols/web.
 *
 * @module
 */

const entities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Replaces `&`, `<`, `>`, `"` and `'` by their character references, so `text` cannot open a
 * tag, end an attribute value (single- or double-quoted) or start an entity.
 *
 * @example
 * ```ts
 * escapeHtml('"><script>'); // '&quot;&gt;&lt;script&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character]!);
}
