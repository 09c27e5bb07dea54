import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { validateXML } from 'xmllint-wasm';
import type ExcelJSModule from 'exceljs';

/** Validates an XML document against one of the published schemas (schemas/*.xsd) with libxml2 (xmllint-wasm). */
export async function validateAgainst(
  schemaFile: string,
  xml: Uint8Array | string,
): Promise<{ valid: boolean; errors: string[] }> {
  const schema = readFileSync(new URL(`../../schemas/${schemaFile}`, import.meta.url), 'utf8');
  const result = await validateXML({
    xml: [{ fileName: 'report.xml', contents: typeof xml === 'string' ? xml : new TextDecoder().decode(xml) }],
    schema: [{ fileName: schemaFile, contents: schema }],
  });
  return { valid: result.valid, errors: result.errors.map((e) => e.message) };
}

export async function readWorkbook(bytes: Uint8Array): Promise<ExcelJSModule.Workbook> {
  const ExcelJS = ((await import('exceljs')) as unknown as { default: typeof ExcelJSModule }).default;
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ExcelJSModule.Buffer);
  return workbook;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A cell's number, or a formula's cached result. */
export function numberOf(value: ExcelJSModule.CellValue): number {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'result' in value && typeof value.result === 'number') return value.result;
  throw new Error(`not a number: ${JSON.stringify(value)}`);
}

export function formulaOf(value: ExcelJSModule.CellValue): string | undefined {
  return value && typeof value === 'object' && 'formula' in value ? value.formula : undefined;
}
