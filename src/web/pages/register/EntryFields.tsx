/**
 * The fields an entry has besides the person and the insats: dates, municipality, income at entry,
 * time on support, education, target groups, referring member and consent. Used by the entry form
 * and by the entry correction, which send the same body apart from the person and the insats.
 */
import { useTranslation } from 'react-i18next';
import { EDUCATION_CODES, type EducationLevel } from '../../../shared/participants';
import type { EntryCorrection } from '../../../shared/register-schemas';
import { SelectField, TextField } from '../../components/Field';
import type { FormErrors, Issue, SummaryTarget } from '../../components/ErrorSummary';
import type { Member } from '../../types';
import {
  CheckboxGroup,
  IncomeRowsField,
  incomeIds,
  incomeLinesOf,
  incomeRowsFrom,
  messageUnder,
  newIncomeRow,
  parseWhole,
  today,
  type IncomeRow,
} from './common';
import type { Participation, TargetGroup } from './types';

export interface EntryState {
  entryDate: string;
  municipalityCode: string;
  income: IncomeRow[];
  supportMonths: string;
  educationLevel: EducationLevel | '';
  targetGroupIds: string[];
  referringMemberId: string;
  consentDate: string;
  /** False until the user edits the consent date: until then it follows the entry date. */
  consentTouched: boolean;
  consentRef: string;
}

export function emptyEntryState(entryDate = today()): EntryState {
  return {
    entryDate,
    municipalityCode: '',
    income: [newIncomeRow()],
    supportMonths: '',
    educationLevel: '',
    targetGroupIds: [],
    referringMemberId: '',
    consentDate: entryDate,
    consentTouched: false,
    consentRef: '',
  };
}

export function entryStateOf(p: Participation): EntryState {
  return {
    entryDate: p.entryDate,
    municipalityCode: p.municipalityCode,
    income: incomeRowsFrom(p.incomeAtEntry),
    supportMonths: p.supportMonths === null ? '' : String(p.supportMonths),
    educationLevel: p.educationLevel ?? '',
    targetGroupIds: p.targetGroups.map((g) => g.id),
    referringMemberId: p.referringMemberId ?? '',
    consentDate: p.consentDate,
    consentTouched: true,
    consentRef: p.consentRef,
  };
}

/** The state as a request body, and the issues found before anything is sent. */
export function entryBodyOf(s: EntryState): { body: EntryCorrection; issues: Issue[] } {
  // In the order of the form, so the error summary reads top to bottom.
  const issues: Issue[] = [];
  if (!s.entryDate) issues.push({ path: 'entryDate', code: 'required' });
  if (!s.municipalityCode) issues.push({ path: 'municipalityCode', code: 'required' });
  const income = incomeLinesOf(s.income, 'incomeAtEntry');
  issues.push(...income.issues);
  if (income.lines.length === 0 && income.issues.length === 0)
    issues.push({ path: 'incomeAtEntry', code: 'required' });
  const months = s.supportMonths.trim() === '' ? null : parseWhole(s.supportMonths);
  if (s.supportMonths.trim() !== '' && months === null)
    issues.push({ path: 'supportMonths', code: 'whole_number' });
  if (!s.consentDate) issues.push({ path: 'consentDate', code: 'required' });
  return {
    body: {
      entryDate: s.entryDate,
      municipalityCode: s.municipalityCode,
      incomeAtEntry: income.lines,
      supportMonths: months,
      educationLevel: s.educationLevel || null,
      targetGroupIds: s.targetGroupIds,
      referringMemberId: s.referringMemberId || null,
      consentDate: s.consentDate,
      consentRef: s.consentRef.trim(),
    },
    issues,
  };
}

export const entryIds = (prefix: string) => ({
  entryDate: `${prefix}-entry-date`,
  municipalityCode: `${prefix}-municipality`,
  supportMonths: `${prefix}-support-months`,
  educationLevel: `${prefix}-education`,
  targetGroupIds: `${prefix}-target-groups`,
  referringMemberId: `${prefix}-referring-member`,
  consentDate: `${prefix}-consent-date`,
  consentRef: `${prefix}-consent-ref`,
});

/** Where an entry issue points in the form; income paths are already row indexes here. */
export function entryTarget(prefix: string, path: string): SummaryTarget | undefined {
  const ids: Record<string, string> = entryIds(prefix);
  const income = /^incomeAtEntry(?:\.(\d+)\.(source|extentPct))?/.exec(path);
  if (income) {
    const i = income[1] === undefined ? 0 : Number(income[1]);
    const row = incomeIds(prefix, i);
    return { id: income[2] === 'extentPct' ? row.extent : row.source };
  }
  const field = path.split('.')[0]!;
  return ids[field] ? { id: ids[field] } : undefined;
}

export function EntryFields({
  prefix,
  state,
  onChange,
  errors,
  members,
  targetGroups,
}: {
  prefix: string;
  state: EntryState;
  onChange: (patch: Partial<EntryState>) => void;
  errors: FormErrors;
  members: Member[];
  targetGroups: TargetGroup[];
}) {
  const { t } = useTranslation();
  const ids = entryIds(prefix);
  const municipalities = members.filter((m) => m.type === 'municipality' && m.municipalityCode);
  // A group no longer active stays listed while this participation has it.
  const groups = targetGroups.filter((g) => g.active || state.targetGroupIds.includes(g.id));
  const max = today();
  return (
    <>
      <div className="reg-row">
        <TextField
          id={ids.entryDate}
          label={t('register.entry.entryDate')}
          hint={t('register.entry.entryDateHint')}
          type="date"
          max={max}
          className="input--medium"
          value={state.entryDate}
          onValueChange={(v) =>
            onChange(state.consentTouched ? { entryDate: v } : { entryDate: v, consentDate: v })
          }
          error={errors.messageFor('entryDate')}
        />
        <SelectField
          id={ids.municipalityCode}
          label={t('register.entry.municipality')}
          hint={t('register.entry.municipalityHint')}
          value={state.municipalityCode}
          onValueChange={(v) => onChange({ municipalityCode: v })}
          options={[
            { value: '', label: t('register.entry.chooseMunicipality') },
            ...municipalities.map((m) => ({ value: m.municipalityCode!, label: m.name })),
            { value: 'other', label: t('register.municipalityOther') },
          ]}
          error={errors.messageFor('municipalityCode')}
        />
      </div>
      <IncomeRowsField
        prefix={prefix}
        path="incomeAtEntry"
        legend={t('register.entry.incomeLegend')}
        hint={t('register.income.hint')}
        rows={state.income}
        onChange={(income) => onChange({ income })}
        errors={errors}
      />
      <div className="reg-row">
        <TextField
          id={ids.supportMonths}
          label={t('register.entry.supportMonths')}
          hint={t('register.entry.supportMonthsHint')}
          inputMode="numeric"
          autoComplete="off"
          className="input--short"
          value={state.supportMonths}
          onValueChange={(v) => onChange({ supportMonths: v })}
          error={errors.messageFor('supportMonths')}
        />
        <SelectField
          id={ids.educationLevel}
          label={t('register.entry.education')}
          hint={t('register.entry.educationHint')}
          value={state.educationLevel}
          onValueChange={(v) => onChange({ educationLevel: v as EducationLevel | '' })}
          options={[
            { value: '', label: t('register.common.notGiven') },
            ...EDUCATION_CODES.map((c) => ({ value: c, label: t(`register.education.${c}`) })),
          ]}
          error={errors.messageFor('educationLevel')}
        />
      </div>
      {groups.length > 0 ? (
        <CheckboxGroup
          id={ids.targetGroupIds}
          legend={t('register.entry.targetGroups')}
          hint={t('register.entry.targetGroupsHint')}
          options={groups.map((g) => ({ value: g.id, label: g.name }))}
          value={state.targetGroupIds}
          onChange={(targetGroupIds) => onChange({ targetGroupIds })}
          error={messageUnder(errors, 'targetGroupIds')}
        />
      ) : null}
      <SelectField
        id={ids.referringMemberId}
        label={t('register.entry.referringMember')}
        value={state.referringMemberId}
        onValueChange={(v) => onChange({ referringMemberId: v })}
        options={[
          { value: '', label: t('register.entry.noReferringMember') },
          ...members.map((m) => ({ value: m.id, label: m.name })),
        ]}
        error={errors.messageFor('referringMemberId')}
      />
      <div className="reg-row">
        <TextField
          id={ids.consentDate}
          label={t('register.entry.consentDate')}
          hint={t('register.entry.consentDateHint')}
          type="date"
          max={max}
          className="input--medium"
          value={state.consentDate}
          onValueChange={(v) => onChange({ consentDate: v, consentTouched: true })}
          error={errors.messageFor('consentDate')}
        />
        <TextField
          id={ids.consentRef}
          label={t('register.entry.consentRef')}
          hint={t('register.entry.consentRefHint')}
          autoComplete="off"
          className="input--medium"
          maxLength={200}
          value={state.consentRef}
          onValueChange={(v) => onChange({ consentRef: v })}
          error={errors.messageFor('consentRef')}
        />
      </div>
    </>
  );
}
