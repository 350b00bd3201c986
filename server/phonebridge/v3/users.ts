import { checkAccess, V3_CODES } from '../access.js';
import type { V3Handler } from './context.js';

/** A page of the org's active users, with links to the previous and next pages where they exist. */
export const v3ListUsers: V3Handler<'v3ListUsers'> = ({ params, caller, baseUrl }) => {
  checkAccess(caller, {}, V3_CODES);
  const page = params.page ?? 1;
  const perPage = params.perPage ?? 200;
  const active = caller.org.users.filter((u) => u.active);
  const users = active.slice((page - 1) * perPage, page * perPage).map((u) => ({ zohouser: u.id, email: u.email, username: u.name }));
  const link = (to: number) => ({ uri: `${baseUrl}/phonebridge/v3/users?page=${to}&perPage=${perPage}` });
  const navigation = {
    ...(page > 1 ? { firstPage: link(page - 1) } : {}),
    ...(page * perPage < active.length ? { lastPage: link(page + 1) } : {}),
  };
  return { status: 200, body: { navigation, users, paging: { perPage, page } } };
};
