/** An uploaded CSV file as read: the header's column names, then each row's fields with its line in the file. */
export interface CsvTable {
  header: string[];
  rows: { line: number; fields: string[] }[];
}
