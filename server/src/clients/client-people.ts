import { randomUUID } from 'node:crypto';
import type { FieldCrypto } from '../crypto/index.js';
import type { DbOrTrx } from '../db/index.js';
import { maskValue } from './masking.js';
import { normalizeForIndex } from './protected-fields.js';
import { PERSON_FIELDS } from './person-fields.js';

export interface NewClientPerson {
  clientId: string;
  /** The person's role at the company, such as 财务负责人 or 办税员. */
  role: string;
  name: string;
  idNumber?: string | undefined;
  phone?: string | undefined;
}

/** Adds a person to a client company; ID number and phone are encrypted under the company's data key. */
export async function addClientPerson(db: DbOrTrx, crypto: FieldCrypto, person: NewClientPerson): Promise<string> {
  const id = randomUUID();
  const protect = async (key: 'idNumber' | 'phone', value: string | undefined) => {
    const definition = PERSON_FIELDS[key];
    if (!value) return { enc: null, masked: null, bidx: null };
    return {
      enc: await crypto.encrypt(db, person.clientId, { table: 'client_people', column: definition.column, rowId: id }, value),
      masked: maskValue(definition.mask, value),
      bidx: await crypto.blindIndex(db, 'client_people', definition.column, normalizeForIndex(definition, value)),
    };
  };
  const idNumber = await protect('idNumber', person.idNumber);
  const phone = await protect('phone', person.phone);

  await db
    .insertInto('client_people')
    .values({
      id,
      client_id: person.clientId,
      role: person.role,
      name: person.name,
      id_number_enc: idNumber.enc,
      id_number_masked: idNumber.masked,
      id_number_bidx: idNumber.bidx,
      phone_enc: phone.enc,
      phone_masked: phone.masked,
      phone_bidx: phone.bidx,
      created_at: new Date().toISOString(),
    })
    .execute();
  return id;
}
