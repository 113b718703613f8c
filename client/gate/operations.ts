/**
 * Every operation the worker sends to the gate, as codegen-typed documents (client preset: `graphql(\`…\`)`
 * returns a TypedDocumentNode whose result and variables types come from schema.graphql). Run
 * `npm run generate` after changing one.
 */
import { graphql } from './generated/index.ts';

export const RegisterClientDocument = graphql(`
  mutation WorkerRegisterClient($input: RegisterClientInput!) {
    registerClient(input: $input) { id name status }
  }
`);

export const UnregisterClientDocument = graphql(`
  mutation WorkerUnregisterClient($id: ID!) {
    unregisterClient(id: $id) { id status }
  }
`);

export const HeartbeatDocument = graphql(`
  mutation WorkerHeartbeat($input: HeartbeatInput!) {
    heartbeat(input: $input) { leaseSeconds revokedTaskIds leases { taskId leaseExpiresAt } }
  }
`);

export const ClaimTaskDocument = graphql(`
  mutation WorkerClaimTask($input: ClaimTaskInput!) {
    claimTask(input: $input) {
      leaseToken
      leaseEpoch
      leaseExpiresAt
      task { id kind searchParams startPage maxDocuments priority attempts parent { id } }
    }
  }
`);

export const ReportProgressDocument = graphql(`
  mutation WorkerReportProgress($input: ReportProgressInput!) {
    reportProgress(input: $input) { leaseExpiresAt }
  }
`);

export const CompleteTaskDocument = graphql(`
  mutation WorkerCompleteTask($input: CompleteTaskInput!) {
    completeTask(input: $input) { id status documentsDownloaded }
  }
`);

export const FailTaskDocument = graphql(`
  mutation WorkerFailTask($input: FailTaskInput!) {
    failTask(input: $input) { id status runAt attempts }
  }
`);

export const ReleaseTasksDocument = graphql(`
  mutation WorkerReleaseTasks($input: ReleaseTasksInput!) {
    releaseTasks(input: $input) { id status }
  }
`);

export const KnownDocumentIdsDocument = graphql(`
  query WorkerKnownDocumentIds($documentIds: [String!]!) {
    knownDocumentIds(documentIds: $documentIds)
  }
`);

export const TaskAvailableDocument = graphql(`
  subscription WorkerTaskAvailable {
    taskAvailable { taskId reason seq }
  }
`);
