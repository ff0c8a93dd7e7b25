import { type SubjectSnapshot, type Visibility, decide, hasPermission } from '../access/index.js';
import type { AuditLog } from '../audit/index.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { Locale } from '../i18n/index.js';
import { ClientList, type ClientListQuery } from './client-list.service.js';
import { type ClientRow, findAssignees, findClientPeople, findClientRow, findDepartmentNames, findFilterOptions } from './client.repository.js';
import { type FieldView, NO_VISIBILITY, presentClientFields, presentField } from './client.presenter.js';
import { type FieldCategory, type FieldDefinition, findClientField } from './field-catalog.js';
import { PERSON_FIELDS, type PersonFieldKey } from './person-fields.js';

export interface RequestContext {
  readonly subject: SubjectSnapshot;
  readonly locale: Locale;
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
  /** Throws `step_up_required` unless a second factor was confirmed recently in this session. */
  readonly assertRecentSecondFactor?: () => Promise<void>;
}

/** The shortest reason accepted for a reveal; "查看" alone says nothing an auditor can check. */
export const MIN_REASON_LENGTH = 4;

export class ClientService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #crypto: FieldCrypto;
  readonly #list: ClientList;

  constructor({ db, audit, crypto }: { db: Db; audit: AuditLog; crypto: FieldCrypto }) {
    this.#db = db;
    this.#audit = audit;
    this.#crypto = crypto;
    this.#list = new ClientList({ db, audit, crypto });
  }

  /** Lists one page of the clients in the caller's scope; see `ClientList`. */
  async list(query: ClientListQuery & { context: RequestContext }) {
    return this.#list.list(query);
  }

  async filterOptions(subject: SubjectSnapshot) {
    return findFilterOptions(this.#db, subject);
  }

  async view({ id, context }: { id: string; context: RequestContext }) {
    const row = await this.#loadAuthorizedOrThrow(id, 'client:read', context, 'client.view');
    const decision = decide(context.subject, 'client:read', { type: 'client', id: row.id, departmentId: row.department_id });
    const visibility = decision.obligations.visibility ?? NO_VISIBILITY;
    const canReveal = hasPermission(context.subject, 'client:reveal');

    const [assignees, departments, people] = await Promise.all([findAssignees(this.#db, [row.id]), findDepartmentNames(this.#db), findClientPeople(this.#db, row.id)]);
    const fields = presentClientFields(row, visibility, canReveal, context.locale);
    const personViews = people.map((person) => ({
      id: person.id,
      role: person.role,
      name: presentPersonField('name', person, visibility, canReveal, context.locale),
      idNumber: presentPersonField('idNumber', person, visibility, canReveal, context.locale),
      phone: presentPersonField('phone', person, visibility, canReveal, context.locale),
    }));

    await this.#audit.record({
      action: 'client.view',
      outcome: 'success',
      actor: actorOf(context.subject),
      targetType: 'client',
      targetId: row.id,
      clientId: row.id,
      fields: fields.filter((field) => field.display !== 'hidden').map((field) => field.key),
      ip: context.ip,
      userAgent: context.userAgent,
      details: { decision: decision.reasons },
    });

    return {
      id: row.id,
      name: row.name,
      departmentName: row.department_id ? (departments.get(row.department_id) ?? null) : null,
      assignees: assignees.get(row.id) ?? [],
      fields,
      people: personViews,
      status: row.status,
      // Archived clients are read-only: no uploads, and archiving is offered only while active.
      abilities: {
        reveal: canReveal && fields.some((field) => field.revealable),
        update: false,
        upload: row.status === 'active' && decide(context.subject, 'document:upload', { type: 'client', id: row.id, departmentId: row.department_id }).allow,
        archive: row.status === 'active' && decide(context.subject, 'client:archive', { type: 'client', id: row.id, departmentId: row.department_id }).allow,
      },
    };
  }

  /**
   * Decrypts one protected value for a viewer who states a reason. The reveal's audit event is
   * committed before the value is returned, so no plain value leaves without its record.
   */
  async reveal({ id, field, reason, context }: { id: string; field: string; reason: string; context: RequestContext }): Promise<{ field: string; value: string }> {
    const row = await this.#loadAuthorizedOrThrow(id, 'client:read', context, 'client.reveal');

    // Rejected reveals are recorded too: a run of them is how probing looks in the log.
    const trimmedReason = reason.trim();
    const target = resolveRevealTarget(field);
    if (!target) {
      await this.#recordRejectedReveal(context, row.id, field, 'field_not_revealable');
      throw new AppError('field_not_revealable', {}, [{ path: 'field', message: 'field_not_revealable' }]);
    }
    if ([...trimmedReason].length < MIN_REASON_LENGTH) {
      await this.#recordRejectedReveal(context, row.id, field, 'reason_required');
      throw new AppError('reason_required', { min: MIN_REASON_LENGTH }, [{ path: 'reason', message: 'reason_required' }]);
    }

    const decision = decide(context.subject, 'client:reveal', { type: 'client', id: row.id, departmentId: row.department_id, category: target.definition.category });
    if (!decision.allow) {
      await this.#recordDenial(context, row.id, 'client.reveal', decision.reasons, [field]);
      throw new AppError('forbidden');
    }

    // Every protected value is personal information that GB/T 35273 treats as sensitive, so
    // each reveal proves again who is at the keyboard.
    try {
      await context.assertRecentSecondFactor?.();
    } catch (error) {
      await this.#recordRejectedReveal(context, row.id, field, 'step_up_required');
      throw error;
    }

    const ciphertext = await this.#findCiphertext(row, target);
    if (!ciphertext) {
      throw new AppError('field_empty');
    }
    const value = await this.#crypto.decrypt(this.#db, target.context(row.id), ciphertext);

    await this.#audit.record({
      action: 'client.reveal',
      outcome: 'success',
      actor: actorOf(context.subject),
      targetType: target.personId ? 'client_person' : 'client',
      targetId: target.personId ?? row.id,
      clientId: row.id,
      fields: [field],
      reason: trimmedReason,
      ip: context.ip,
      userAgent: context.userAgent,
      details: { decision: decision.reasons },
    });
    return { field, value };
  }

  /**
   * Loads a client the subject may act on. A client outside the scope answers exactly like a
   * missing one, and the attempt is audited as a denial.
   */
  async #loadAuthorizedOrThrow(id: string, action: 'client:read', context: RequestContext, attempted: string): Promise<ClientRow> {
    const row = await findClientRow(this.#db, id);
    const decision = row ? decide(context.subject, action, { type: 'client', id: row.id, departmentId: row.department_id }) : undefined;
    if (!row || !decision?.allow) {
      await this.#recordDenial(context, row ? row.id : null, attempted, decision?.reasons ?? ['not_found'], [], id);
      throw new AppError('not_found');
    }
    return row;
  }

  async #recordDenial(context: RequestContext, clientId: string | null, attempted: string, reasons: readonly string[], fields: string[], requestedId?: string): Promise<void> {
    await this.#audit.record({
      action: 'access.denied',
      outcome: 'denied',
      actor: actorOf(context.subject),
      targetType: 'client',
      targetId: clientId ?? requestedId?.slice(0, 64),
      clientId: clientId ?? undefined,
      fields,
      ip: context.ip,
      userAgent: context.userAgent,
      details: { attempted, reasons },
    });
  }

  async #recordRejectedReveal(context: RequestContext, clientId: string, field: string, code: string): Promise<void> {
    await this.#audit.record({
      action: 'client.reveal',
      outcome: 'failure',
      actor: actorOf(context.subject),
      targetType: 'client',
      targetId: clientId,
      clientId,
      fields: [field.slice(0, 100)],
      ip: context.ip,
      userAgent: context.userAgent,
      details: { code },
    });
  }

  async #findCiphertext(row: ClientRow, target: RevealTarget): Promise<string | null> {
    if (!target.personId) {
      return (row as unknown as Record<string, string | null>)[`${target.definition.column}_enc`] ?? null;
    }
    const people = await findClientPeople(this.#db, row.id);
    const person = people.find((candidate) => candidate.id === target.personId);
    return person ? ((person as unknown as Record<string, string | null>)[`${target.definition.column}_enc`] ?? null) : null;
  }
}

function actorOf(subject: SubjectSnapshot) {
  return { id: subject.userId, username: subject.username };
}

interface RevealTarget {
  definition: FieldDefinition | (typeof PERSON_FIELDS)[PersonFieldKey];
  personId?: string;
  context(clientId: string): { table: string; column: string; rowId: string };
}

/** Maps `contactPhone` or `people.<id>.idNumber` to an encrypted field, or `undefined`. */
function resolveRevealTarget(field: string): RevealTarget | undefined {
  const personMatch = /^people\.([0-9a-f-]{36})\.(idNumber|phone)$/.exec(field);
  if (personMatch) {
    const personId = personMatch[1]!;
    const definition = PERSON_FIELDS[personMatch[2] as PersonFieldKey];
    return { definition, personId, context: () => ({ table: 'client_people', column: definition.column, rowId: personId }) };
  }
  const definition = findClientField(field);
  if (!definition || definition.protection !== 'encrypted') {
    return undefined;
  }
  return { definition, context: (clientId) => ({ table: 'clients', column: definition.column, rowId: clientId }) };
}

function presentPersonField(key: PersonFieldKey, person: Record<string, unknown>, visibility: Readonly<Record<FieldCategory, Visibility>>, canReveal: boolean, locale: Locale): FieldView {
  const definition = PERSON_FIELDS[key];
  const columns = person as Record<string, string | null>;
  const stored = definition.protection === 'encrypted' ? { plain: null, masked: columns[`${definition.column}_masked`] ?? null } : { plain: columns[definition.column] ?? null, masked: null };
  return presentField({ definition, stored, visibility: visibility[definition.category], canReveal, locale, key: `people.${String(person.id)}.${key}` });
}
