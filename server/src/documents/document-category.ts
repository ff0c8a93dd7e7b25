import type { FieldCategory } from '../clients/field-catalog.js';

/** Kinds of client document a firm collects; labels live in the web app's catalogs. */
export const DOCUMENT_CATEGORIES = ['business_licence', 'id_card', 'financial_statement', 'bank_statement', 'contract', 'other'] as const;
export type DocumentCategory = (typeof DOCUMENT_CATEGORIES)[number];

/**
 * The field category whose visibility governs a document kind. ID card scans are personal
 * information, statements are financial data, and the rest is basic company information.
 */
export const VISIBILITY_CATEGORY: Readonly<Record<DocumentCategory, FieldCategory>> = Object.freeze({
  business_licence: 'basic',
  id_card: 'sensitive',
  financial_statement: 'financial',
  bank_statement: 'financial',
  contract: 'basic',
  other: 'basic',
});

export function isDocumentCategory(value: string): value is DocumentCategory {
  return (DOCUMENT_CATEGORIES as readonly string[]).includes(value);
}
