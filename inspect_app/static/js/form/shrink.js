/* Photos are shrunk on the tablet to at most 2048 px on the long side, as JPEG (canvas); the
 * original is kept when the browser cannot decode it (the server decides). */

const PHOTO_MAX_PX = 2048;

function decodeImage(file) {
  if (window.createImageBitmap) {
    return createImageBitmap(file).then((bitmap) => ({source: bitmap, width: bitmap.width, height: bitmap.height,
                                                      close: () => bitmap.close && bitmap.close()}));
  }
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => resolve({source: img, width: img.naturalWidth, height: img.naturalHeight,
                                close: () => URL.revokeObjectURL(url)});
    img.onerror = () => { URL.revokeObjectURL(url); reject(new Error("not an image")); };
    img.src = url;
  });
}

/** Resize to at most PHOTO_MAX_PX on the long side as JPEG; the original when that fails. */
export async function shrink(file) {
  let image;
  try {
    image = await decodeImage(file);
    const scale = Math.min(1, PHOTO_MAX_PX / Math.max(image.width, image.height));
    if (scale === 1 && file.type === "image/jpeg") return file;
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(image.width * scale));
    canvas.height = Math.max(1, Math.round(image.height * scale));
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image.source, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    return blob || file;
  } catch (err) {
    return file;                    // the server decides (it re-encodes or refuses)
  } finally {
    if (image) image.close();
  }
}

/** The bytes of a blob (kept in IndexedDB until the photo is sent). */
export function readBuffer(blob) {
  if (blob.arrayBuffer) return blob.arrayBuffer();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(blob);
  });
}
