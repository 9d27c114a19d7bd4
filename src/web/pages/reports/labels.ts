/** Names of breakdown keys: age bands, municipalities (kommunkod → name) and insatser (id → name). */
import { useTranslation } from 'react-i18next';

export function useAgeBandLabel(): (key: string) => string {
  const { t } = useTranslation();
  return (key) => t(`reports.ageBand.${key}`, { defaultValue: key });
}
