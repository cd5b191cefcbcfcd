/** Manager reports: the query layer, its schemas and the CSV export. */
export * from "./schemas";
export { bucketStart, bucketStarts, emptyFigures, managedTeams, teamReport, type Viewer } from "./team";
export { CSV_BOM, csvFileName, reportCsv } from "./csv";
