import { ClientStatus, DocumentStorage, ErrorClass, Role, TaskKind, TaskStatus } from '../generated/prisma/enums.ts';
import { builder } from './builder.ts';

export const TaskStatusEnum = builder.enumType(TaskStatus, { name: 'TaskStatus' });
export const TaskKindEnum = builder.enumType(TaskKind, { name: 'TaskKind' });
export const ErrorClassEnum = builder.enumType(ErrorClass, { name: 'ErrorClass' });
export const ClientStatusEnum = builder.enumType(ClientStatus, { name: 'ClientStatus' });
export const RoleEnum = builder.enumType(Role, { name: 'Role' });
export const DocumentStorageEnum = builder.enumType(DocumentStorage, { name: 'DocumentStorage' });
