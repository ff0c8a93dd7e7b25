/**
 * A pull scanner over the XML parts of an .xlsx workbook. It reads elements, attributes and
 * character data, and nothing a workbook part never contains. A document type declaration is
 * rejected, so no entity defined in the file is ever expanded.
 */

export class XmlFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlFormatError';
  }
}

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = Object.freeze({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" });
// Every `&` is matched, so a bare one (not well-formed XML) is found and rejected too.
const AMPERSAND = /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z]{1,8})?(;)?/g;
const ATTRIBUTE = /([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Replaces the predefined entities and character references in text or an attribute value. */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(AMPERSAND, (_match, name: string | undefined, semicolon: string | undefined) => {
    if (name === undefined || semicolon === undefined) throw new XmlFormatError('An unescaped & in character data');
    if (name.startsWith('#')) {
      const codePoint = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      if (codePoint > 0x10ffff) throw new XmlFormatError('A character reference beyond U+10FFFF');
      return String.fromCodePoint(codePoint);
    }
    const value = PREDEFINED_ENTITIES[name];
    if (value === undefined) throw new XmlFormatError('A reference to an entity XML does not predefine');
    return value;
  });
}

/**
 * Steps through the tags of a document in order. Error messages give offsets, never content,
 * because the content is client data. After `next()` returns true, `name` is the
 * tag's local name (a namespace prefix such as `x:` removed), `closing` and `selfClosing` give
 * its kind, and `text()` is the character data between the previous tag and this one.
 */
export class XmlScanner {
  readonly #xml: string;
  #position = 0;
  #textParts: string[] = [];
  #attributesStart = 0;
  #attributesEnd = 0;

  name = '';
  closing = false;
  selfClosing = false;

  constructor(xml: string) {
    this.#xml = xml;
  }

  next(): boolean {
    const xml = this.#xml;
    this.#textParts = [];

    for (;;) {
      const open = xml.indexOf('<', this.#position);
      if (open < 0) {
        this.#addText(this.#position, xml.length);
        this.#position = xml.length;
        return false;
      }
      this.#addText(this.#position, open);

      if (xml.startsWith('<?', open)) {
        this.#position = this.#indexAfter('?>', open);
      } else if (xml.startsWith('<!--', open)) {
        this.#position = this.#indexAfter('-->', open);
      } else if (xml.startsWith('<![CDATA[', open)) {
        const end = this.#indexAfter(']]>', open);
        this.#textParts.push(xml.slice(open + 9, end - 3));
        this.#position = end;
      } else if (xml[open + 1] === '!') {
        // A DOCTYPE could define entities; no workbook part has one.
        throw new XmlFormatError('Document type declarations are not accepted');
      } else {
        this.#readTag(open);
        return true;
      }
    }
  }

  /** Character data before the current tag, entities decoded. */
  text(): string {
    return this.#textParts.length === 1 ? this.#textParts[0]! : this.#textParts.join('');
  }

  /** Returns the current tag's attributes by local name, values decoded. */
  attributes(): Record<string, string> {
    const result: Record<string, string> = {};
    const source = this.#xml.slice(this.#attributesStart, this.#attributesEnd);
    for (const match of source.matchAll(ATTRIBUTE)) {
      const qualified = match[1]!;
      result[qualified.slice(qualified.indexOf(':') + 1)] = decodeXmlText(match[2] ?? match[3] ?? '');
    }
    return result;
  }

  #addText(start: number, end: number): void {
    if (end > start) this.#textParts.push(decodeXmlText(this.#xml.slice(start, end)));
  }

  #indexAfter(terminator: string, from: number): number {
    const index = this.#xml.indexOf(terminator, from);
    if (index < 0) throw new XmlFormatError(`Unterminated markup at offset ${from}`);
    return index + terminator.length;
  }

  /** Reads the tag starting at `open`; quoted attribute values may contain `>`. */
  #readTag(open: number): void {
    const xml = this.#xml;
    this.closing = xml[open + 1] === '/';
    const nameStart = open + (this.closing ? 2 : 1);

    let index = nameStart;
    let nameEnd = -1;
    for (; index < xml.length; index += 1) {
      const char = xml[index];
      if (char === '>') break;
      if (nameEnd < 0 && (char === ' ' || char === '/' || char === '\t' || char === '\n' || char === '\r')) nameEnd = index;
      if (char === '"' || char === "'") {
        index = xml.indexOf(char, index + 1);
        if (index < 0) break;
      }
    }
    if (index < 0 || index >= xml.length) throw new XmlFormatError(`Unterminated tag at offset ${open}`);
    if (nameEnd < 0) nameEnd = index;

    this.selfClosing = xml[index - 1] === '/';
    const qualified = xml.slice(nameStart, nameEnd);
    this.name = qualified.slice(qualified.indexOf(':') + 1);
    if (this.name === '') throw new XmlFormatError(`Tag without a name at offset ${open}`);
    this.#attributesStart = nameEnd;
    this.#attributesEnd = this.selfClosing ? index - 1 : index;
    this.#position = index + 1;
  }
}
