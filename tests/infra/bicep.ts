import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Language, Parser, type Node } from 'web-tree-sitter';

/**
 * Reads Bicep with the tree-sitter-bicep grammar (its WebAssembly build, run by web-tree-sitter): no Bicep
 * compiler or native addon needed.
 */

export const infraDir = fileURLToPath(new URL('../../infra/', import.meta.url));

let parser: Promise<Parser> | undefined;

function bicepParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('tree-sitter-bicep/tree-sitter-bicep.wasm');
    const instance = new Parser();
    instance.setLanguage(await Language.load(wasm));
    return instance;
  })();
  return parser;
}

export async function parseBicep(source: string): Promise<Node> {
  const tree = (await bicepParser()).parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree.rootNode;
}

export async function parseBicepFile(path: string): Promise<Node> {
  return parseBicep(readFileSync(path, 'utf8'));
}

/** Every `.bicep` file under `dir`, as paths relative to it. */
export function bicepFiles(dir = infraDir): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.bicep'))
    .sort();
}

/** Each ERROR or MISSING node as `line:column: …`, empty when the source parsed cleanly. */
export function syntaxProblems(root: Node): string[] {
  const problems: string[] = [];
  const visit = (node: Node): void => {
    const at = `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
    if (node.isMissing) problems.push(`${at}: missing ${node.type}`);
    else if (node.isError) problems.push(`${at}: unexpected ${JSON.stringify(node.text.slice(0, 60))}`);
    else if (node.hasError) node.children.forEach(visit);
  };
  visit(root);
  return problems;
}

/** The top-level `var NAME = …` declaration's value. */
export function variableValue(root: Node, name: string): Node {
  const declaration = root.namedChildren.find(
    (node) => node.type === 'variable_declaration' && node.firstNamedChild?.text === name,
  );
  const value = declaration?.namedChildren[1];
  if (!value) throw new Error(`no top-level \`var ${name} = …\``);
  return value;
}

/** Property names of an object literal (`{ KEY: value … }`), in order. */
export function objectKeys(object: Node): string[] {
  if (object.type !== 'object') throw new Error(`expected an object literal, found ${object.type}`);
  return object.namedChildren
    .filter((child) => child.type === 'object_property')
    .map((property) => literal(property.firstNamedChild));
}

/** A property's value in an object literal. */
export function objectProperty(object: Node, key: string): Node | undefined {
  const property = object.namedChildren.find(
    (child) => child.type === 'object_property' && literal(child.firstNamedChild) === key,
  );
  return property?.namedChildren[1];
}

/** Elements of an array literal of plain strings (`['a', 'b']`). */
export function stringArray(array: Node): string[] {
  if (array.type !== 'array') throw new Error(`expected an array literal, found ${array.type}`);
  return array.namedChildren.map(literal);
}

/** `param` declarations: name and whether a default value is given. */
export function parameters(root: Node): { name: string; hasDefault: boolean }[] {
  return root.namedChildren
    .filter((node) => node.type === 'parameter_declaration')
    .map((node) => ({
      name: literal(node.firstNamedChild),
      hasDefault: node.children.some((child) => child.type === '='),
    }));
}

/** The text of an identifier, or the value of a string literal without interpolation. */
export function literal(node: Node | null): string {
  if (!node) throw new Error('expected a name or string');
  if (node.type === 'identifier') return node.text;
  if (node.type === 'string' && node.namedChildren.every((child) => child.type === 'string_content')) {
    return node.namedChildren.map((child) => child.text).join('');
  }
  throw new Error(`expected a name or plain string, found ${node.type} ${node.text}`);
}
