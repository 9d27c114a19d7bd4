/**
 * Goals (admin): the association's goals and a form to add or change one. A share target is typed
 * in per cent and sent as a fraction (40 → 0.4), as are the reference values. The body is checked
 * with the server's own zod schema before it is sent; the server's rules (a share above 100 %, a
 * reference on a count goal…) come back as field errors.
 */
import { useRef, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { FieldIssue } from '../../../shared/errors';
import { useAssociation } from '../../association';
import { actionFailure } from '../../errors';
import { parseDecimal } from '../../format';
import { currentYear, selectableYears } from '../../queries';
import { FieldError, SelectField, TextField } from '../../components/Field';
import { ErrorSummary, useFormErrors, type Issue } from '../../components/ErrorSummary';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import {
  Feedback,
  LoadError,
  Loading,
  useFocusAfterRender,
  type FeedbackMessage,
} from '../../components/Status';
import { TableScroll } from '../../components/TableScroll';
import { useTitle } from '../../components/useTitle';
import { goalKind, goalTargetText } from './GoalsOverview';
import {
  GOAL_FIGURES,
  GOAL_PERIOD_TYPES,
  type Goal,
  type GoalFigure,
  type GoalInput,
  type GoalPeriodType,
  type ReportFilter,
} from './model';
import { reportKeys, reportsApi } from './reportsApi';
import { ReportsNav } from './ReportsNav';
import { Caption } from './Sections';
import './reports.css';

/** Checks a goal with the server's schema (loaded on demand, with zod) and maps issues as the server does. */
async function schemaIssues(body: unknown): Promise<FieldIssue[]> {
  const [{ goalInputSchema }, { toFieldIssues }] = await Promise.all([
    import('../../../shared/report-schemas'),
    import('../../../shared/validation'),
  ]);
  const result = goalInputSchema.safeParse(body);
  return result.success ? [] : toFieldIssues(result.error.issues);
}

/** 40 → 0.4 without binary noise (34,5 % → 0.345). */
function percentToFraction(p: number): number {
  return Number((p / 100).toFixed(6));
}
function fractionToPercentText(f: number): string {
  return String(Number((f * 100).toFixed(4))).replace('.', ',');
}

interface RefRow {
  year: string;
  value: string;
}

interface FormState {
  name: string;
  kind: 'register' | 'survey';
  figure: GoalFigure;
  insats: string;
  /** Age at entry, from and to (the seeds' "16–64 år"). */
  ageFrom: string;
  ageTo: string;
  /** Filters the form does not show (set through the API): kept as they are. */
  otherFilter: ReportFilter;
  questionnaire: string;
  question: string;
  scaleMin: string;
  scaleMax: string;
  atLeast: string;
  comparator: '>=' | '<=';
  target: string;
  periodType: GoalPeriodType;
  hasReference: boolean;
  referenceLabel: string;
  referenceValues: RefRow[];
  validFromYear: string;
  validToYear: string;
}

function initialState(goal: Goal | undefined): FormState {
  const year = currentYear();
  const d = goal?.definition;
  const kind = goal ? goalKind(goal) : 'share';
  const valueText = (v: number) => (kind === 'share' ? fractionToPercentText(v) : String(v));
  return {
    name: goal?.name ?? '',
    kind: d?.kind ?? 'register',
    figure: d?.kind === 'register' ? d.figure : 'shareToWorkOrStudies',
    insats: d?.kind === 'register' ? (d.filter.interventionIds?.[0] ?? '') : '',
    ageFrom: d?.kind === 'register' && d.filter.ageFrom !== undefined ? String(d.filter.ageFrom) : '',
    ageTo: d?.kind === 'register' && d.filter.ageTo !== undefined ? String(d.filter.ageTo) : '',
    otherFilter: d?.kind === 'register' ? otherFilters(d.filter) : {},
    questionnaire: d?.kind === 'survey' ? d.questionnaire : '',
    question: d?.kind === 'survey' ? d.question : '',
    scaleMin: d?.kind === 'survey' ? String(d.scaleMin) : '1',
    scaleMax: d?.kind === 'survey' ? String(d.scaleMax) : '10',
    atLeast: d?.kind === 'survey' ? String(d.atLeast) : '7',
    comparator: goal?.comparator ?? '>=',
    target: goal ? valueText(goal.target) : '',
    periodType: goal?.periodType ?? 'year',
    hasReference: Boolean(goal?.reference),
    referenceLabel: goal?.reference?.label ?? '',
    referenceValues: goal?.reference
      ? Object.entries(goal.reference.values)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([y, v]) => ({ year: y, value: valueText(v) }))
      : [{ year: String(year), value: '' }],
    validFromYear: String(goal?.validFromYear ?? year),
    validToYear: goal?.validToYear ? String(goal.validToYear) : '',
  };
}

const WHOLE_NUMBER = /^\d+$/;

function otherFilters(f: ReportFilter): ReportFilter {
  const rest = { ...f };
  delete rest.interventionIds;
  delete rest.ageFrom;
  delete rest.ageTo;
  return rest;
}

/** The request body, and the form's own issues (numbers that do not parse; those read as 0 in the body). */
function toBody(s: FormState): { body: GoalInput; issues: Issue[] } {
  const issues: Issue[] = [];
  const kind = s.kind === 'survey' ? 'share' : GOAL_FIGURES[s.figure];
  const number = (text: string, path: string): number => {
    const v = parseDecimal(text);
    if (v === null) issues.push({ path, code: text.trim() ? 'format' : 'required' });
    return v ?? 0;
  };
  const whole = (text: string, path: string): number => {
    if (!WHOLE_NUMBER.test(text.trim())) issues.push({ path, code: text.trim() ? 'format' : 'required' });
    return Number(text.trim());
  };
  const targetValue = number(s.target, 'target');
  const target = kind === 'share' ? percentToFraction(targetValue) : targetValue;
  const age = (text: string, path: string): number | undefined => {
    const v = text.trim();
    if (!v) return undefined;
    if (!WHOLE_NUMBER.test(v) || Number(v) > 120) issues.push({ path, code: 'age_range' });
    return Number(v);
  };
  const ageFrom = age(s.ageFrom, 'definition.filter.ageFrom');
  const ageTo = age(s.ageTo, 'definition.filter.ageTo');
  if (ageFrom !== undefined && ageTo !== undefined && !issues.length && ageTo < ageFrom)
    issues.push({ path: 'definition.filter.ageTo', code: 'before_start' });
  const filter: ReportFilter = {
    ...s.otherFilter,
    ...(s.insats ? { interventionIds: [s.insats] } : {}),
    ...(ageFrom !== undefined ? { ageFrom } : {}),
    ...(ageTo !== undefined ? { ageTo } : {}),
  };
  const definition: GoalInput['definition'] =
    s.kind === 'register'
      ? { kind: 'register', figure: s.figure, filter }
      : {
          kind: 'survey',
          questionnaire: s.questionnaire.trim(),
          question: s.question.trim(),
          scaleMin: whole(s.scaleMin, 'definition.scaleMin'),
          scaleMax: whole(s.scaleMax, 'definition.scaleMax'),
          atLeast: whole(s.atLeast, 'definition.atLeast'),
        };
  let reference: GoalInput['reference'] = null;
  if (s.hasReference) {
    const values: Record<string, number> = {};
    for (const row of s.referenceValues) {
      if (!row.value.trim()) continue;
      const v = number(row.value, `reference.values.${row.year}`);
      values[row.year] = kind === 'share' ? percentToFraction(v) : v;
    }
    reference = { label: s.referenceLabel.trim(), values };
  }
  const body: GoalInput = {
    name: s.name.trim(),
    definition,
    periodType: s.periodType,
    comparator: s.comparator,
    target,
    reference,
    validFromYear: Number(s.validFromYear),
    validToYear: s.validToYear ? Number(s.validToYear) : null,
  };
  return { body, issues };
}

function unitLabel(t: TFunction, kind: 'share' | 'count' | 'days'): string {
  return t(`reports.goalForm.unit.${kind}`);
}

function GoalForm({
  goal,
  onDone,
  onCancel,
}: {
  goal?: Goal;
  onDone: (g: Goal) => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const scope = useAssociation();
  const errors = useFormErrors('reports');
  const prefix = goal ? 'goal-edit' : 'goal-add';
  const [s, setS] = useState<FormState>(() => initialState(goal));
  const [busy, setBusy] = useState(false);
  const interventions = useQuery({
    queryKey: reportKeys.interventions(scope.slug),
    queryFn: () => reportsApi.interventions(scope.slug),
  });
  const set =
    <K extends keyof FormState>(key: K) =>
    (v: FormState[K]) =>
      setS((old) => ({ ...old, [key]: v }));
  const kind = s.kind === 'survey' ? 'share' : GOAL_FIGURES[s.figure];
  const id = (name: string) => `${prefix}-${name}`;
  const target = (path: string): string | undefined => {
    if (path.startsWith('reference.values.')) return id(`ref-${path.slice('reference.values.'.length)}`);
    const map: Record<string, string> = {
      name: id('name'),
      'definition.figure': id('figure'),
      'definition.questionnaire': id('questionnaire'),
      'definition.question': id('question'),
      'definition.scaleMin': id('scale-min'),
      'definition.scaleMax': id('scale-max'),
      'definition.atLeast': id('at-least'),
      'definition.filter.ageFrom': id('age-from'),
      'definition.filter.ageTo': id('age-to'),
      comparator: id('comparator'),
      target: id('target'),
      periodType: id('period'),
      reference: id('has-reference'),
      'reference.label': id('ref-label'),
      'reference.values': id('has-reference'),
      validFromYear: id('from'),
      validToYear: id('to'),
    };
    return map[path];
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { body, issues } = toBody(s);
    // Every problem at once: the form's own, and the schema's for the other fields.
    const schema = (await schemaIssues(body)).filter((i) => !issues.some((own) => own.path === i.path));
    if (issues.length || schema.length) return errors.report([...issues, ...schema]);
    setBusy(true);
    try {
      const saved = goal
        ? await reportsApi.editGoal(scope.slug, goal.id, body)
        : await reportsApi.addGoal(scope.slug, body);
      errors.clear();
      if (!goal) setS(initialState(undefined));
      onDone(saved);
    } catch (err) {
      errors.reportError(err);
    } finally {
      setBusy(false);
    }
  };

  const years = selectableYears(Number(s.validFromYear));
  const yearOptions = (extra: string[]) =>
    [...new Set([...years.map(String), ...extra])]
      .sort((a, b) => b.localeCompare(a))
      .map((y) => ({ value: y, label: y }));

  return (
    <>
      <ErrorSummary
        errors={errors}
        target={(path) => {
          const to = target(path);
          return to ? { id: to } : undefined;
        }}
      />
      <form onSubmit={submit} noValidate className="form form--wide">
        <TextField
          id={id('name')}
          label={t('reports.goalForm.name')}
          hint={t('reports.goalForm.nameHint')}
          value={s.name}
          onValueChange={set('name')}
          error={errors.messageFor('name')}
          maxLength={300}
        />
        <fieldset className="report-fieldset">
          <legend>{t('reports.goalForm.kind')}</legend>
          {(['register', 'survey'] as const).map((k) => (
            <div key={k} className="report-choice">
              <input
                type="radio"
                id={id(`kind-${k}`)}
                name={id('kind')}
                value={k}
                checked={s.kind === k}
                onChange={() => set('kind')(k)}
              />
              <label htmlFor={id(`kind-${k}`)}>{t(`reports.goalForm.kind_${k}`)}</label>
            </div>
          ))}
        </fieldset>
        {s.kind === 'register' ? (
          <>
            <SelectField
              id={id('figure')}
              label={t('reports.goalForm.figure')}
              value={s.figure}
              onValueChange={(v) => set('figure')(v as GoalFigure)}
              options={(Object.keys(GOAL_FIGURES) as GoalFigure[]).map((f) => ({
                value: f,
                label: t(`reports.fig.${f}`),
              }))}
              error={errors.messageFor('definition.figure')}
            />
            <SelectField
              id={id('insats')}
              label={t('reports.goalForm.insats')}
              value={s.insats}
              onValueChange={set('insats')}
              options={[
                { value: '', label: t('reports.create.wholeAssociation') },
                ...(interventions.data ?? []).map((i) => ({ value: i.id, label: i.name })),
              ]}
            />
            <TextField
              id={id('age-from')}
              inputMode="numeric"
              label={t('reports.filter.ageFrom')}
              value={s.ageFrom}
              onValueChange={set('ageFrom')}
              error={errors.messageFor('definition.filter.ageFrom')}
              className="input--short"
            />
            <TextField
              id={id('age-to')}
              inputMode="numeric"
              label={t('reports.filter.ageTo')}
              value={s.ageTo}
              onValueChange={set('ageTo')}
              error={errors.messageFor('definition.filter.ageTo')}
              className="input--short"
            />
          </>
        ) : (
          <>
            <TextField
              id={id('questionnaire')}
              label={t('reports.goalForm.questionnaire')}
              value={s.questionnaire}
              onValueChange={set('questionnaire')}
              error={errors.messageFor('definition.questionnaire')}
            />
            <TextField
              id={id('question')}
              label={t('reports.goalForm.question')}
              value={s.question}
              onValueChange={set('question')}
              error={errors.messageFor('definition.question')}
            />
            <div className="report-field-row">
              <TextField
                id={id('scale-min')}
                label={t('reports.goalForm.scaleMin')}
                value={s.scaleMin}
                onValueChange={set('scaleMin')}
                error={errors.messageFor('definition.scaleMin')}
                inputMode="numeric"
                className="input--short"
              />
              <TextField
                id={id('scale-max')}
                label={t('reports.goalForm.scaleMax')}
                value={s.scaleMax}
                onValueChange={set('scaleMax')}
                error={errors.messageFor('definition.scaleMax')}
                inputMode="numeric"
                className="input--short"
              />
              <TextField
                id={id('at-least')}
                label={t('reports.goalForm.atLeast')}
                hint={t('reports.goalForm.atLeastHint')}
                value={s.atLeast}
                onValueChange={set('atLeast')}
                error={errors.messageFor('definition.atLeast')}
                inputMode="numeric"
                className="input--short"
              />
            </div>
          </>
        )}
        <SelectField
          id={id('comparator')}
          label={t('reports.goalForm.comparator')}
          value={s.comparator}
          onValueChange={(v) => set('comparator')(v as '>=' | '<=')}
          options={[
            { value: '>=', label: t('reports.goalForm.comparator_gte') },
            { value: '<=', label: t('reports.goalForm.comparator_lte') },
          ]}
          error={errors.messageFor('comparator')}
          className="select select--short"
        />
        <TextField
          id={id('target')}
          label={t('reports.goalForm.target', { unit: unitLabel(t, kind) })}
          hint={kind === 'share' ? t('reports.goalForm.targetHintShare') : undefined}
          value={s.target}
          onValueChange={set('target')}
          error={errors.messageFor('target')}
          inputMode="decimal"
          className="input--short"
        />
        <SelectField
          id={id('period')}
          label={t('reports.goalForm.periodType')}
          hint={t('reports.goalForm.periodTypeHint')}
          value={s.periodType}
          onValueChange={(v) => set('periodType')(v as GoalPeriodType)}
          options={GOAL_PERIOD_TYPES.map((p) => ({ value: p, label: t(`reports.periodType.${p}`) }))}
          error={errors.messageFor('periodType')}
        />
        <div className="report-field-row">
          <SelectField
            id={id('from')}
            label={t('reports.goalForm.validFrom')}
            value={s.validFromYear}
            onValueChange={set('validFromYear')}
            options={yearOptions([s.validFromYear, '2023'])}
            error={errors.messageFor('validFromYear')}
          />
          <SelectField
            id={id('to')}
            label={t('reports.goalForm.validTo')}
            value={s.validToYear}
            onValueChange={set('validToYear')}
            options={[
              { value: '', label: t('reports.goalForm.untilFurther') },
              ...yearOptions(s.validToYear ? [s.validToYear] : []),
            ]}
            error={errors.messageFor('validToYear')}
          />
        </div>
        <div className={errors.messageFor('reference') ? 'field field--error' : 'field'}>
          <FieldError id={id('has-reference-error')} message={errors.messageFor('reference')} />
          <div className="report-choice">
            <input
              type="checkbox"
              id={id('has-reference')}
              checked={s.hasReference}
              onChange={(e) => set('hasReference')(e.target.checked)}
              aria-describedby={errors.messageFor('reference') ? id('has-reference-error') : undefined}
            />
            <label htmlFor={id('has-reference')}>{t('reports.goalForm.hasReference')}</label>
          </div>
        </div>
        {s.hasReference ? (
          <fieldset className="report-fieldset">
            <legend>{t('reports.goalForm.reference')}</legend>
            <p className="field-hint">{t('reports.goalForm.referenceHint')}</p>
            <TextField
              id={id('ref-label')}
              label={t('reports.goalForm.referenceLabel')}
              hint={t('reports.goalForm.referenceLabelHint')}
              value={s.referenceLabel}
              onValueChange={set('referenceLabel')}
              error={errors.messageFor('reference.label')}
            />
            {s.referenceValues.map((row, i) => (
              <div key={row.year} className="report-field-row report-field-row--end">
                <TextField
                  id={id(`ref-${row.year}`)}
                  label={t('reports.goalForm.referenceValue', { year: row.year, unit: unitLabel(t, kind) })}
                  value={row.value}
                  onValueChange={(v) =>
                    set('referenceValues')(
                      s.referenceValues.map((r, j) => (j === i ? { ...r, value: v } : r)),
                    )
                  }
                  error={errors.messageFor(`reference.values.${row.year}`)}
                  inputMode="decimal"
                  className="input--short"
                />
                <button
                  type="button"
                  className="link-button link-button--danger report-field-row__action"
                  onClick={() => set('referenceValues')(s.referenceValues.filter((_, j) => j !== i))}
                >
                  {t('common.remove')}
                  <span className="visually-hidden"> {row.year}</span>
                </button>
              </div>
            ))}
            <button
              type="button"
              className="button button--secondary button--small"
              onClick={() => {
                const last = s.referenceValues.reduce(
                  (m, r) => Math.max(m, Number(r.year)),
                  Number(s.validFromYear) - 1,
                );
                set('referenceValues')([...s.referenceValues, { year: String(last + 1), value: '' }]);
              }}
            >
              {t('reports.goalForm.addYear')}
            </button>
          </fieldset>
        ) : null}
        <div className="button-row">
          <button type="submit" className="button" disabled={busy}>
            {goal ? t('common.save') : t('reports.goalForm.add')}
          </button>
          {onCancel ? (
            <button type="button" className="button button--secondary" onClick={onCancel}>
              {t('common.cancel')}
            </button>
          ) : null}
        </div>
      </form>
    </>
  );
}

function describeGoal(t: TFunction, goal: Goal): string {
  const d = goal.definition;
  if (d.kind === 'survey')
    return t('reports.goals.surveyMeasure', { question: d.question, from: d.atLeast, to: d.scaleMax });
  return t(`reports.fig.${d.figure}`);
}

export function GoalsPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  useTitle(t('reports.goalsPage.title'), scope.name);
  const queryClient = useQueryClient();
  const q = useQuery({ queryKey: reportKeys.goals(scope.slug), queryFn: () => reportsApi.goals(scope.slug) });
  const [feedback, setFeedback] = useState<FeedbackMessage | null>(null);
  const [editing, setEditing] = useState<Goal | null>(null);
  const [removing, setRemoving] = useState<Goal | null>(null);
  const [busy, setBusy] = useState(false);
  const feedbackRef = useRef<HTMLDivElement>(null);
  const editHeadingRef = useRef<HTMLHeadingElement>(null);
  const focusAfterRender = useFocusAfterRender();

  // Goals feed the dashboard: refresh everything of the association.
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['a', scope.slug] });
  const tell = (message: FeedbackMessage) => {
    setFeedback(message);
    focusAfterRender(() => feedbackRef.current);
  };
  const remove = async () => {
    if (!removing) return;
    setBusy(true);
    try {
      await reportsApi.removeGoal(scope.slug, removing.id);
      if (editing?.id === removing.id) setEditing(null);
      await refresh();
      tell({ kind: 'success', text: t('reports.goalsPage.removed', { name: removing.name }) });
    } catch (err) {
      tell({
        kind: 'error',
        text: t('reports.goalsPage.removeFailed', {
          name: removing.name,
          reason: actionFailure(t, err, 'reports'),
        }),
      });
    } finally {
      setBusy(false);
      setRemoving(null);
    }
  };

  return (
    <>
      <ReportsNav />
      <h1>{t('reports.goalsPage.title')}</h1>
      <p className="lead">{t('reports.goalsPage.intro')}</p>
      <Feedback ref={feedbackRef} message={feedback} />
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data && q.data.length === 0 ? <p>{t('reports.goalsPage.none')}</p> : null}
      {q.data && q.data.length > 0 ? (
        <TableScroll labelledBy="goals-caption">
          <table className="table">
            <Caption id="goals-caption">{t('reports.goalsPage.caption', { count: q.data.length })}</Caption>
            <thead>
              <tr>
                <th scope="col">{t('reports.goalsPage.col.name')}</th>
                <th scope="col">{t('reports.goalsPage.col.measure')}</th>
                <th scope="col">{t('reports.goalsPage.col.target')}</th>
                <th scope="col">{t('reports.goalsPage.col.period')}</th>
                <th scope="col">{t('reports.goalsPage.col.valid')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {q.data.map((g) => (
                <tr key={g.id}>
                  <th scope="row">{g.name}</th>
                  <td>{describeGoal(t, g)}</td>
                  <td>
                    {goalTargetText(t, g, g.target, goalKind(g))}
                    {g.reference ? (
                      <>
                        <br />
                        <span className="muted">
                          {t('reports.goalsPage.orReference', { label: g.reference.label })}
                        </span>
                      </>
                    ) : null}
                  </td>
                  <td>{t(`reports.periodType.${g.periodType}`)}</td>
                  <td className="nowrap">
                    {g.validToYear
                      ? `${g.validFromYear}–${g.validToYear}`
                      : t('reports.goalsPage.from', { year: g.validFromYear })}
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => {
                        setEditing(g);
                        focusAfterRender(() => editHeadingRef.current);
                      }}
                    >
                      {t('common.edit')}
                      <span className="visually-hidden"> {g.name}</span>
                    </button>
                    <button
                      type="button"
                      className="link-button link-button--danger"
                      onClick={() => setRemoving(g)}
                    >
                      {t('common.remove')}
                      <span className="visually-hidden"> {g.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : null}

      {editing ? (
        <section aria-labelledby="goal-edit-heading" className="panel">
          <h2 id="goal-edit-heading" ref={editHeadingRef} tabIndex={-1}>
            {t('reports.goalsPage.editTitle', { name: editing.name })}
          </h2>
          <GoalForm
            key={editing.id}
            goal={editing}
            onCancel={() => setEditing(null)}
            onDone={async (g) => {
              setEditing(null);
              await refresh();
              tell({ kind: 'success', text: t('reports.goalsPage.updated', { name: g.name }) });
            }}
          />
        </section>
      ) : null}

      <section aria-labelledby="goal-add-heading" className="panel">
        <h2 id="goal-add-heading">{t('reports.goalsPage.addTitle')}</h2>
        <GoalForm
          onDone={async (g) => {
            await refresh();
            tell({ kind: 'success', text: t('reports.goalsPage.added', { name: g.name }) });
          }}
        />
      </section>

      <ConfirmDialog
        open={removing !== null}
        title={t('reports.goalsPage.confirmTitle')}
        text={t('reports.goalsPage.confirmText', { name: removing?.name ?? '' })}
        confirmLabel={t('reports.goalsPage.confirm')}
        busy={busy}
        onConfirm={remove}
        onCancel={() => setRemoving(null)}
      />
    </>
  );
}
