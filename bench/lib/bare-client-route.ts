import type { FastifyInstance } from 'fastify';
import { findAssignees, findClientPeople, findClientRow, findDepartmentNames } from '../../server/src/clients/client.repository.js';
import { storedForm } from '../../server/src/clients/client.presenter.js';
import { CLIENT_FIELDS } from '../../server/src/clients/field-catalog.js';
import type { Db } from '../../server/src/db/index.js';

export const BARE_CLIENT_PATH = '/api/bench/bare-clients';

/**
 * Registers GET /api/bench/bare-clients/:id, the client page with the security work removed, for
 * the client page benchmark only. It reads the same rows as GET /api/clients/:id and returns the
 * same shape. It checks no session, makes no decision, applies no visibility and writes no audit
 * event, and every stored column goes out as it is (masked forms for encrypted fields). It is
 * `public` so the app's request gate lets it through without a session.
 */
export function bareClientRoute(db: Db) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get<{ Params: { id: string } }>(`${BARE_CLIENT_PATH}/:id`, { config: { action: 'public' } }, async (request, reply) => {
      const row = await findClientRow(db, request.params.id);
      if (!row) {
        return reply.status(404).send({ code: 'not_found' });
      }

      const [assignees, departments, people] = await Promise.all([findAssignees(db, [row.id]), findDepartmentNames(db), findClientPeople(db, row.id)]);
      const fields = CLIENT_FIELDS.map((definition) => {
        const stored = storedForm(row, definition);
        return { key: definition.key, label: definition.label['zh-CN'], category: definition.category, display: 'plain', value: stored.plain ?? stored.masked, revealable: false };
      });
      const personField = (key: string, label: string, value: string | null) => ({ key, label, category: 'basic', display: 'plain', value, revealable: false });
      return {
        id: row.id,
        name: row.name,
        departmentName: row.department_id ? (departments.get(row.department_id) ?? null) : null,
        assignees: assignees.get(row.id) ?? [],
        fields,
        people: people.map((person) => ({
          id: person.id,
          role: person.role,
          name: personField(`people.${person.id}.name`, '姓名', person.name),
          idNumber: personField(`people.${person.id}.idNumber`, '身份证号', person.id_number_masked),
          phone: personField(`people.${person.id}.phone`, '手机号', person.phone_masked),
        })),
        status: row.status,
        abilities: { reveal: false, update: false, upload: false, archive: false },
      };
    });
  };
}
