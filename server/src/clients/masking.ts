import type { MaskRule } from './field-catalog.js';

/**
 * Masked forms as Chinese firms print them: ID numbers keep the first and last four characters,
 * mobile numbers the first three and last four, bank accounts the last four, a person's name
 * the surname. The result is stored beside the ciphertext, so pages of masked values need no
 * decryption.
 */
export function maskValue(rule: MaskRule, value: string): string {
  const characters = [...value];
  switch (rule) {
    case 'none':
      return value;
    case 'id_number':
      return keepEnds(characters, 4, 4);
    case 'mobile':
      return keepEnds(characters, 3, 4);
    case 'bank_account':
      return keepEnds(characters, 0, 4);
    case 'person_name':
      return characters.length <= 1 ? '*' : `${characters[0]}${'*'.repeat(characters.length - 1)}`;
    case 'full':
      return '******';
  }
}

function keepEnds(characters: string[], head: number, tail: number): string {
  // Too short to show both ends without showing nearly everything: hide it all.
  if (characters.length <= head + tail + 2) {
    return '*'.repeat(Math.max(characters.length, 4));
  }
  const hidden = characters.length - head - tail;
  return characters.slice(0, head).join('') + '*'.repeat(hidden) + characters.slice(characters.length - tail).join('');
}
