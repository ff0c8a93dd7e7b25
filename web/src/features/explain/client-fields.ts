import type { FieldCategory } from '../../api/index.js';
import type { MessageKey } from '../../i18n/index.js';

/**
 * The client fields an explanation may name, in the server's catalog order, with their category.
 * The server rejects any other key with `validation_failed`, so a field added there needs a line here.
 */
export const CLIENT_FIELDS: readonly { key: string; category: FieldCategory; label: MessageKey }[] = [
  { key: 'name', category: 'basic', label: 'explain.field.name' },
  { key: 'uscc', category: 'basic', label: 'explain.field.uscc' },
  { key: 'taxpayerType', category: 'basic', label: 'explain.field.taxpayerType' },
  { key: 'registeredAddress', category: 'basic', label: 'explain.field.registeredAddress' },
  { key: 'registeredCapital', category: 'basic', label: 'explain.field.registeredCapital' },
  { key: 'legalRepName', category: 'basic', label: 'explain.field.legalRepName' },
  { key: 'legalRepIdNumber', category: 'sensitive', label: 'explain.field.legalRepIdNumber' },
  { key: 'contactName', category: 'basic', label: 'explain.field.contactName' },
  { key: 'contactPhone', category: 'basic', label: 'explain.field.contactPhone' },
  { key: 'bankName', category: 'financial', label: 'explain.field.bankName' },
  { key: 'bankAccount', category: 'financial', label: 'explain.field.bankAccount' },
  { key: 'taxBureau', category: 'basic', label: 'explain.field.taxBureau' },
  { key: 'serviceStart', category: 'basic', label: 'explain.field.serviceStart' },
  { key: 'serviceEnd', category: 'basic', label: 'explain.field.serviceEnd' },
  { key: 'lastYearRevenue', category: 'financial', label: 'explain.field.lastYearRevenue' },
  { key: 'notes', category: 'basic', label: 'explain.field.notes' },
  { key: 'confidentialNotes', category: 'sensitive', label: 'explain.field.confidentialNotes' },
];
