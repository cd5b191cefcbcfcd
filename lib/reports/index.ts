/** Manager reports: the query layer, its schemas and the CSV export. */
export * from "./schemas";
export { managedTeams, type Viewer } from "./team-access";
export { FoldedDaysError, remakeReport, teamReport } from "./team-report";
export { remakeStoredReports } from "./stored";
export { CSV_BOM, csvFileName, reportCsv } from "./csv";
