export { default } from "../signin/layout";
