// GraphQL operations the gate tests share (what a worker and an operator send).
export const CREATE_TASK = `mutation($input: NewTaskInput!) { createTask(input: $input) { id status priority searchParams maxDocuments } }`;
export const CREATE_TASKS = `mutation($tasks: [NewTaskInput!]!) { createTasks(input: { tasks: $tasks }) { id } }`;
export const REGISTER = `mutation($name: String!) { registerClient(input: { name: $name, host: "test-host", version: "1" }) { id name status } }`;
export const CLAIM = `mutation($clientId: ID!) { claimTask(input: { clientId: $clientId }) { leaseToken leaseEpoch leaseExpiresAt task { id status attempts } } }`;
export const CLAIM_MANY = `mutation($clientId: ID!, $limit: Int!) { claimTasks(input: { clientId: $clientId, limit: $limit }) { leaseToken task { id } } }`;
export const PROGRESS = `mutation($input: ReportProgressInput!) { reportProgress(input: $input) { leaseExpiresAt task { status documentsDownloaded } } }`;
export const COMPLETE = `mutation($input: CompleteTaskInput!) { completeTask(input: $input) { id status documentsDownloaded resultSummary completedAt } }`;
export const FAIL = `mutation($input: FailTaskInput!) { failTask(input: $input) { id status attempts lastError lastErrorClass runAt } }`;
export const HEARTBEAT = `mutation($clientId: ID!, $taskIds: [ID!]) { heartbeat(input: { clientId: $clientId, taskIds: $taskIds }) { leases { taskId leaseExpiresAt } revokedTaskIds leaseSeconds } }`;
export const RELEASE = `mutation($leases: [LeaseInput!]!) { releaseTasks(input: { leases: $leases }) { id status } }`;
export const CANCEL = `mutation($id: ID!) { cancelTask(input: { id: $id }) { id status } }`;
export const RETRY = `mutation($id: ID!) { retryTask(input: { id: $id }) { id status attempts } }`;
export const TASK = `query($id: ID!) { task(id: $id) { id status attempts stalls lastError documentsDownloaded lastErrorClass leaseHolder { id } events { type } } }`;
export const CLIENT = `query($id: ID!) { client(id: $id) { id tasksCompleted tasksFailed documentsDownloaded status } }`;

export const region11 = { CourtRegion: '11', INSType: '1' };
