import { useQuery } from '@tanstack/react-query';

import { useMe } from '../../app/auth-context.js';
import { hasPermission } from '../../app/navigation.js';
import { useT } from '../../i18n/index.js';
import { fetchUsers, USERS_QUERY_KEY } from '../admin/admin.api.js';
import { IdText } from './IdText.js';

/**
 * Returns a function that names a member by id: "myself" for the signed-in member and display
 * names for holders of `user:manage`, who may load the user list. Requests carry member ids only.
 */
export function useMemberName(): (userId: string) => string | undefined {
  const me = useMe();
  const t = useT();
  const users = useQuery({ queryKey: USERS_QUERY_KEY, queryFn: fetchUsers, enabled: hasPermission(me, 'user:manage'), staleTime: 5 * 60_000 });

  return (userId) => {
    if (userId === me.id) return t('access.member.self');
    return users.data?.items.find((user) => user.id === userId)?.displayName;
  };
}

/** Renders a member's name where it is known, and the id otherwise. */
export function MemberText({ userId, nameOf }: { userId: string; nameOf: (userId: string) => string | undefined }) {
  const name = nameOf(userId);
  return name === undefined ? <IdText id={userId} /> : <span>{name}</span>;
}
