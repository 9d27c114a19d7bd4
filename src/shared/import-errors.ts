/**
 * The import's row errors: a stable code per reason, with the values it names as parameters. The
 * API and the CLI send the Swedish text (`message`) too; the web app shows the reason in the
 * user's language from its catalogues (`register.import.rowErrors.<code>`, whose Swedish texts are
 * these, checked by a test), with the same `{{parameters}}`.
 */
export const IMPORT_ROW_MESSAGES = {
  unknown_column: 'Okänd kolumn "{{name}}"',
  duplicate_column: 'Kolumnen finns två gånger',
  missing_column: 'Kolumnen "{{name}}" saknas',
  insats_required: 'Insats saknas',
  unknown_insats: 'Okänd insats',
  structural_insats: 'Insatsen är strukturövergripande och har inga deltagare',
  count_only_insats:
    'Insatsen följs upp med antal, inte per person: registrera deltagarna som anonyma (anonym=ja)',
  invalid_yes_no: 'Ogiltigt värde: skriv ja eller nej',
  invalid_sex: 'Ogiltigt kön: skriv kvinna eller man (K/M)',
  entry_date_required: 'Startdatum saknas',
  invalid_date: 'Ogiltigt datum: skriv ÅÅÅÅ-MM-DD',
  exit_before_entry: 'Slutdatum före startdatum',
  entry_date_future: 'Startdatum ligger i framtiden',
  exit_date_future: 'Slutdatum ligger i framtiden',
  consent_date_future: 'Samtyckesdatum ligger i framtiden',
  anonymous_with_personnummer: 'En anonym deltagare får inte ha personnummer',
  anonymous_sex_required: 'Kön saknas (krävs för anonyma deltagare)',
  anonymous_before_2004: 'Anonyma deltagare räknas från och med 2004',
  personnummer_required: 'Personnummer saknas (skriv anonym=ja för en anonym deltagare)',
  personnummer_format: 'Ogiltigt personnummer (skriv ÅÅÅÅMMDD-NNNN, 12 siffror)',
  personnummer_date: 'Ogiltigt personnummer (födelsedatumet finns inte)',
  personnummer_luhn: 'Ogiltigt personnummer (kontrollsiffran stämmer inte)',
  sex_mismatch: 'Kön stämmer inte med personnumret',
  municipality_required: 'Kommun saknas',
  unknown_municipality: 'Okänd kommun',
  income_at_entry_required: 'Försörjning vid start saknas',
  unknown_income_source: 'Okänd försörjningskälla "{{name}}"',
  invalid_extent: 'Ogiltig omfattning för {{name}}: ange 0–100 (%)',
  income_source_twice: '{{name}} anges två gånger',
  invalid_income: 'Ogiltig försörjning',
  unknown_target_group: 'Okänd målgrupp "{{name}}"',
  unknown_target_group_id: 'Okänd målgrupp',
  consent_date_required: 'Samtyckesdatum saknas',
  invalid_text: 'Texten innehåller otillåtna tecken',
  unknown_education: 'Okänd utbildningsnivå',
  invalid_support_months: 'Ange ett heltal mellan 0 och 1200',
  unknown_member: 'Okänd medlem',
  unknown_exit_reason: 'Okänd avslutsanledning',
  unknown_occupation: 'Okänd sysselsättning: skriv arbete, studier, arbetssökande eller övrigt',
  exit_reason_without_exit: 'Avslutsanledning utan slutdatum',
  occupation_without_exit: 'Sysselsättning efter utan slutdatum',
  income_at_exit_without_exit: 'Försörjning vid slut utan slutdatum',
  exit_reason_required: 'Avslut saknar avslutsanledning',
  occupation_required: 'Avslut saknar sysselsättning efter',
  income_at_exit_required: 'Avslut saknar försörjning vid slut',
  duplicate_income_source: 'Samma försörjningskälla anges två gånger',
  value_required: 'Värde saknas',
  too_big: 'Värdet är för långt eller för stort',
  invalid_value: 'Ogiltigt värde',
  duplicate_row: 'Raden är en dubblett av rad {{row}}',
  already_exited: 'Registreringen (start {{start}}) är redan avslutad {{exit}}',
  overlaps_stored: 'Överlappar en befintlig registrering (start {{start}})',
  overlaps_row: 'Överlappar rad {{row}} (start {{start}})',
} as const;

export type ImportRowErrorCode = keyof typeof IMPORT_ROW_MESSAGES;
export type ImportRowParams = Readonly<Record<string, string | number>>;

/** The Swedish text of a row error, its `{{parameters}}` filled in. */
export function importRowMessage(code: ImportRowErrorCode, params: ImportRowParams = {}): string {
  return IMPORT_ROW_MESSAGES[code].replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(params[k] ?? ''));
}
