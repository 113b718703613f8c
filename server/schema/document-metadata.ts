// The typed metadata fields of Document: registry vocabulary, codes with their Ukrainian names (one
// catalogue: client/registry/catalogues.ts), dates as ISO YYYY-MM-DD.
import {
  type Catalogue,
  catalogueLabel,
  courtRegions,
  decisionForms,
  instances,
  proceedingForms,
} from '../../client/rules/index.ts';
import { builder } from './builder.ts';

const isoDay = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : null);
const labelOf = (catalogue: Catalogue, code: string | null) =>
  code ? (catalogueLabel(catalogue, code) ?? null) : null;

builder.prismaObjectFields('Document', (t) => {
  const text = (field: Parameters<typeof t.exposeString>[0], description: string) =>
    t.exposeString(field, { nullable: true, description });
  return {
    caseNumber: text('caseNumber', 'CaseNumber, e.g. 300/747/25'),
    proceedingNumber: text('proceedingNumber', 'Номер судового провадження'),
    courtName: text('courtName', 'CourtName'),
    courtCode: text('courtCode', 'CourtCode'),
    courtRegion: text('courtRegion', 'CourtRegion code'),
    courtRegionName: t.string({
      nullable: true,
      description: 'the region\'s name in Ukrainian, e.g. "Київська область"; null when the code is missing or unknown',
      resolve: (d) => labelOf(courtRegions, d.courtRegion),
    }),
    instance: text('instance', 'INSType code: 1 first, 2 appeal, 3 cassation'),
    instanceName: t.string({
      nullable: true,
      description: 'the instance\'s name in Ukrainian, e.g. "Перша"; null when the code is missing or unknown',
      resolve: (d) => labelOf(instances, d.instance),
    }),
    judge: text('judge', 'ChairmenName: the presiding judge'),
    decisionForm: text('decisionForm', 'VRType code (form of the decision)'),
    decisionFormName: t.string({
      nullable: true,
      description: 'the form\'s name in Ukrainian, e.g. "Ухвала"; null when the code is missing or unknown',
      resolve: (d) => labelOf(decisionForms, d.decisionForm),
    }),
    proceedingForm: text('proceedingForm', 'CSType code (form of proceedings)'),
    proceedingFormName: t.string({
      nullable: true,
      description: 'the form\'s name in Ukrainian, e.g. "Цивільне"; null when the code is missing or unknown',
      resolve: (d) => labelOf(proceedingForms, d.proceedingForm),
    }),
    caseCategory: text('caseCategory', 'the case category path as the decision page shows it'),
    adoptedOn: t.string({
      nullable: true,
      description: 'RegDate: adopted (YYYY-MM-DD)',
      resolve: (d) => isoDay(d.adoptedOn),
    }),
    sentOn: t.string({
      nullable: true,
      description: 'sent by the court (YYYY-MM-DD)',
      resolve: (d) => isoDay(d.sentOn),
    }),
    registeredOn: t.string({
      nullable: true,
      description: 'registered (YYYY-MM-DD)',
      resolve: (d) => isoDay(d.registeredOn),
    }),
    publishedOn: t.string({
      nullable: true,
      description: 'made public (YYYY-MM-DD)',
      resolve: (d) => isoDay(d.publishedOn),
    }),
    inForceOn: t.string({
      nullable: true,
      description: 'LawDate: entered into legal force (YYYY-MM-DD)',
      resolve: (d) => isoDay(d.inForceOn),
    }),
    sourceUrl: text('sourceUrl', 'the decision on the registry'),
    indexedAt: t.expose('indexedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'when its text was indexed for full-text search (null: not yet)',
    }),
  };
});
